#pragma once
// Small helpers shared by the fault tests: requests as values, rule sets from
// JSON literals, and a fixed steady-time origin.

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/common/headers.hpp"
#include "conflictlab/mock/faults/fault_injector.hpp"
#include "conflictlab/mock/faults/fault_rules.hpp"

namespace conflictlab::mock::testing {

inline const SteadyTime t0{};

inline SteadyTime at_s(double s) {
    return t0 + std::chrono::duration_cast<SteadyTime::duration>(std::chrono::duration<double>(s));
}

// A request as a value; facts() views into it.
struct Req {
    std::string method = "GET";
    std::string path = "/resources/a";
    std::string resource = "a";
    HeaderFields headers;

    RequestFacts facts() const { return {method, path, resource, headers}; }
};

inline Req put(std::string id) {
    return {"PUT", "/resources/" + id, id, {}};
}
inline Req get(std::string id) {
    return {"GET", "/resources/" + id, id, {}};
}

inline FaultRuleSet rules(const nlohmann::json& doc) {
    return parse_fault_rules(doc);
}

// A rule file holding one rule.
inline FaultRuleSet one_rule(nlohmann::json rule) {
    return parse_fault_rules({{"rules", nlohmann::json::array({std::move(rule)})}});
}

// Which of `n` identical requests fired any rule, as "0110...".
inline std::string firing_pattern(FaultInjector& inj, const Req& r, int n, SteadyTime now = t0) {
    std::string out;
    for (int i = 0; i < n; ++i) {
        out += inj.evaluate(r.facts(), now).fired() ? '1' : '0';
    }
    return out;
}

}  // namespace conflictlab::mock::testing
