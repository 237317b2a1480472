#pragma once
// Response bodies from the target, read as JSON under a nesting limit. The
// engine copies, compares, merges and serialises documents, and all of that
// recurses once per nesting level, so an unbounded depth would let one
// response from a broken or hostile target (up to the driver's body limit,
// megabytes of "[[[[") exhaust the stack. A deeper body is treated as not
// JSON.

#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/common/json_text.hpp"

namespace conflictlab::engine::detail {

// Deepest nesting of arrays and objects read from a response body (the
// outermost value is level 1).
inline constexpr int kBodyJsonDepthMax = 256;

// The body as JSON; a discarded value when it is not JSON or nests deeper
// than kBodyJsonDepthMax.
inline nlohmann::json parse_body_json(std::string_view body) {
    // The fast path handles 64 levels at most (less than the limit) and
    // declines anything else, which then goes through the guarded parse.
    if (nlohmann::json fast; parse_json_fast(body, fast))
        return fast;
    struct TooDeep {};
    const nlohmann::json::parser_callback_t depth_guard =
        [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
            if ((event == nlohmann::json::parse_event_t::object_start ||
                 event == nlohmann::json::parse_event_t::array_start) &&
                depth >= kBodyJsonDepthMax) {
                throw TooDeep{};
            }
            return true;
        };
    try {
        return nlohmann::json::parse(body, depth_guard, /*allow_exceptions=*/false);
    } catch (const TooDeep&) {
        return nlohmann::json(nlohmann::json::value_t::discarded);
    }
}

}  // namespace conflictlab::engine::detail
