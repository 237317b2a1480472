#pragma once
// Reading a scenario document: a JSON object read field by field, each typed
// getter checking type and range and failing with a ScenarioError that names
// the field path ("workload.keys.hot_keys") and the allowed values. Every key
// of the object must be asked for, or finish() reports it as unknown, so a
// typo never silently does nothing.
//
// Thread-safety: a FieldReader is used by one thread while parsing.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace conflictlab::harness::detail {

// Throws ScenarioError "<source>: <path>: <problem>" (or "<source>:
// <problem>" when path is empty).
[[noreturn]] void fail(std::string_view source, const std::string& path,
                       const std::string& problem);

// "an object", "a string", "number 2.5", "true": what a value is, for
// "expected X (got Y)". Never shows the content of a string (it may be a
// secret pasted in the wrong place).
std::string describe(const nlohmann::json& value);

// "a, b, c".
std::string join(const std::vector<std::string>& names, std::string_view separator = ", ");

// Parses JSON with comments; syntax errors and duplicate keys become
// ScenarioErrors ("<source>: line 3, column 7: ...", "<source>:
// workload.resources: duplicate key ...").
nlohmann::json parse_document(std::string_view text, std::string_view source);

class FieldReader {
  public:
    // REQUIRES: `value` outlives the reader. Fails unless it is an object.
    FieldReader(const nlohmann::json& value, std::string path, std::string_view source);

    // The value of `key`, or nullptr when absent. Marks the key as known.
    const nlohmann::json* get(std::string_view key);
    // "path.key" (or "key" at the top level).
    std::string path_of(std::string_view key) const;
    const std::string& path() const noexcept { return path_; }
    std::string_view source() const noexcept { return source_; }

    // Fails naming the field.
    [[noreturn]] void fail_at(std::string_view key, const std::string& problem) const;

    // Typed getters: absent keys leave `out` unchanged; return whether present.
    bool read_string(std::string_view key, std::string& out);
    bool read_bool(std::string_view key, bool& out);
    bool read_int(std::string_view key, std::int64_t& out, std::int64_t lo, std::int64_t hi);
    bool read_int(std::string_view key, int& out, int lo, int hi);
    // [lo, hi], or (lo, hi] when lo_exclusive.
    bool read_double(std::string_view key, double& out, double lo, double hi,
                     bool lo_exclusive = false);
    // One of `names`; `out` is its index.
    bool read_choice(std::string_view key, std::size_t& out,
                     std::initializer_list<std::string_view> names);

    // Declares every key this object may have and fails at once on any
    // other, before any value is checked: a misspelt key is the real cause
    // of the errors that would follow ("groups: required" for "group").
    void allow(std::initializer_list<std::string_view> keys);

    // Fails on the first key never asked for, listing the known ones.
    void finish() const;

    // Conversions used by the getters, for values found elsewhere (arrays).
    std::string as_string(const nlohmann::json& v, const std::string& path) const;
    std::int64_t as_int(const nlohmann::json& v, const std::string& path, std::int64_t lo,
                        std::int64_t hi) const;

  private:
    const nlohmann::json& value_;
    std::string path_;
    std::string_view source_;
    std::vector<std::string> known_;  // keys asked for, in order
};

}  // namespace conflictlab::harness::detail
