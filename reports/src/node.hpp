#pragma once
// Node: a JSON value together with its JSON pointer, so every read names
// the exact field when it fails ("/metrics/outcomes: missing",
// "/seed: expected a number, got a string").
//
// Thread-safety: a view; the document must outlive it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace conflictlab::reports::detail {

class Node {
  public:
    Node(const nlohmann::json& value, std::string pointer)
        : value_(&value), pointer_(std::move(pointer)) {}

    const nlohmann::json& json() const { return *value_; }
    const std::string& pointer() const { return pointer_; }

    // A required member of an object. Throws "<ptr>/<key>: missing".
    Node at(std::string_view key) const;
    // An optional member: nullopt when absent or null.
    std::optional<Node> find(std::string_view key) const;
    // Elements of an array (throws unless this is an array).
    std::vector<Node> elements() const;
    // Members of an object, in document order of nlohmann (sorted keys).
    std::vector<std::pair<std::string, Node>> members() const;

    double number() const;
    std::uint64_t unsigned_integer() const;
    std::string string() const;
    bool boolean() const;
    // Any value as display text: strings as-is, null as "unknown", others dumped.
    std::string text() const;
    void expect_object() const;
    void expect_array() const;

    // Optional member with a default.
    double number_or(std::string_view key, double fallback) const;
    std::string string_or(std::string_view key, std::string fallback) const;

  private:
    [[noreturn]] void type_error(std::string_view wanted) const;
    const nlohmann::json* value_;
    std::string pointer_;
};

// JSON pointer escaping of one reference token (RFC 6901: ~ -> ~0, / -> ~1).
std::string pointer_token(std::string_view key);

}  // namespace conflictlab::reports::detail
