#include "json_body.hpp"

#include "conflictlab/common/json_text.hpp"

namespace conflictlab::mock {

std::optional<std::size_t> json_depth_exceeds(std::string_view text,
                                              std::size_t max_depth) noexcept {
    std::size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                break;
            case '[':
            case '{':
                if (++depth > max_depth) {
                    return depth;
                }
                break;
            case ']':
            case '}':
                if (depth > 0) {
                    --depth;
                }
                break;
            default:
                break;
        }
    }
    return std::nullopt;
}

std::optional<nlohmann::json> parse_json_body(std::string_view text, std::size_t max_depth,
                                              std::string& error) {
    if (json_depth_exceeds(text, max_depth)) {
        error = "body: JSON nesting is deeper than the limit of " + std::to_string(max_depth);
        return std::nullopt;
    }
    try {
        return parse_json(text);
    } catch (const nlohmann::json::exception& e) {
        // parse_error: the message names what was expected; out_of_range: a
        // number beyond a double ("1e400"; the cause fuzz_scenario found, here
        // a 500 from the handler's safety net).
        std::string what = e.what();
        if (auto pos = what.find("] ");
            what.starts_with("[json.exception") && pos != std::string::npos) {
            what.erase(0, pos + 2);
        }
        error = "body: not valid JSON: " + what;
        return std::nullopt;
    }
}

}  // namespace conflictlab::mock
