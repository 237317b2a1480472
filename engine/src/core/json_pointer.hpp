#pragma once
// RFC 6901 JSON pointers as strings, navigated without exceptions. The engine
// keeps pointers as the strings users wrote (policy fields) and resolves them
// against peer data that may have any shape, so "not there" is a normal
// answer here, never an exception.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace conflictlab::engine::detail {

// "" or "/a/b~1c": every '~' followed by '0' or '1'.
bool is_valid_pointer(std::string_view pointer) noexcept;

// Unescaped reference tokens; nullopt for an invalid pointer.
std::optional<std::vector<std::string>> split_pointer(std::string_view pointer);

// The value at `pointer`, or nullptr when absent (or the pointer is invalid).
const nlohmann::json* find(const nlohmann::json& doc, std::string_view pointer);

// Sets the value at `pointer`, creating intermediate objects. Returns false
// (and leaves doc unchanged) when a non-object is in the way or the pointer
// is invalid or empty.
bool set_at(nlohmann::json& doc, std::string_view pointer, nlohmann::json value);

// Removes the member at `pointer` when present (objects only).
void erase_at(nlohmann::json& doc, std::string_view pointer);

// `pointer` + "/" + escaped `key`.
std::string child_pointer(std::string_view pointer, std::string_view key);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent_encode(std::string_view text);

}  // namespace conflictlab::engine::detail
