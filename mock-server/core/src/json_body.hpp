#pragma once
// Request bodies as JSON, parsed under a nesting limit. The depth is checked
// by a linear pre-scan BEFORE the (recursive) parser runs, so no input can
// exhaust the stack, whatever its size.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace conflictlab::mock {

// The deepest nesting of arrays/objects in `text` if it exceeds `max_depth`
// (scan stops early), else nullopt. Brackets inside strings do not count.
std::optional<std::size_t> json_depth_exceeds(std::string_view text,
                                              std::size_t max_depth) noexcept;

// Parses `text`. On failure returns nullopt and sets `error` to a detail for a
// 400 problem ("body: ...").
std::optional<nlohmann::json> parse_json_body(std::string_view text, std::size_t max_depth,
                                              std::string& error);

}  // namespace conflictlab::mock
