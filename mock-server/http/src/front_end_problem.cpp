#include "front_end_problem.hpp"

#include "conflictlab/mock/server_core.hpp"
#include "message_conversion.hpp"

namespace conflictlab::mock::http::detail {

Response front_end_problem(int status, std::string_view detail) {
    return problem_response(status, status_title(status), detail);
}

namespace {

// The core reports the rules that fired in Response::fired_rules once it has
// that member; until then the access log has no "faults" field.
template <class R>
std::string join_fired_rules(const R& response) {
    if constexpr (requires { response.fired_rules.begin(); }) {
        std::string out;
        for (const auto& name : response.fired_rules) {
            if (!out.empty())
                out += ',';
            out += name;
        }
        return out;
    } else {
        return {};
    }
}

}  // namespace

std::string fired_rules_of(const Response& response) {
    return join_fired_rules(response);
}

}  // namespace conflictlab::mock::http::detail
