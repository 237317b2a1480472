#include "metric_vocabulary.hpp"

#include <cctype>

#include "conflictlab/engine/outcome.hpp"

namespace conflictlab::harness::detail {

std::string failure_reason_list() {
    // The engine's enum is dense from 0 and name_of answers "?" past its end;
    // asking the engine keeps this list in step with it.
    std::string out;
    for (int i = 0; i < 64; ++i) {
        auto name = engine::failure_reason_name(static_cast<engine::FailureReason>(i));
        if (name == "?") {
            break;
        }
        if (!out.empty()) {
            out += ", ";
        }
        out += name;
    }
    return out;
}

bool is_status_code(std::string_view text) noexcept {
    if (text.size() != 3) {
        return false;
    }
    for (char c : text) {
        if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
            return false;
        }
    }
    return text[0] >= '1' && text[0] <= '5';
}

bool is_count_map_entry(const std::vector<std::string>& segments) noexcept {
    std::size_t at = segments.size() >= 3 && segments[0] == "groups" ? 2 : 0;
    std::size_t depth = segments.size() - at;
    if (depth == 2) {
        const auto& map = segments[at];
        return map == "outcomes" || map == "reasons" || map == "paths";
    }
    return depth == 3 && segments[at] == "server" && segments[at + 1] == "status" &&
           is_status_code(segments[at + 2]);
}

}  // namespace conflictlab::harness::detail
