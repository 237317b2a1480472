#pragma once
// HeaderFields: an ordered list of HTTP header fields with case-insensitive
// lookup (RFC 9110 5.1: field names are case-insensitive). A plain value type
// shared by the mock server's pure handler and the engine's sans-I/O actions,
// so neither needs Beast to describe a message.
//
// Thread-safety: a value; no shared state.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace conflictlab {

bool iequals(std::string_view a, std::string_view b) noexcept;

class HeaderFields {
  public:
    using Field = std::pair<std::string, std::string>;

    HeaderFields() = default;
    HeaderFields(std::initializer_list<Field> fields) : fields_(fields) {}

    // Appends a field; repeated names are kept (e.g. several If-Match lines).
    void add(std::string name, std::string value);
    // Room for `n` fields, so a builder that knows its count allocates once.
    void reserve(std::size_t n) { fields_.reserve(n); }
    // Replaces every field named `name` with one field.
    void set(std::string_view name, std::string value);
    void erase(std::string_view name);

    // First value of `name`, if present.
    std::optional<std::string_view> get(std::string_view name) const;
    // All values of `name` joined with ", " (RFC 9110 5.3 list combination).
    std::optional<std::string> get_combined(std::string_view name) const;
    bool contains(std::string_view name) const { return get(name).has_value(); }

    const std::vector<Field>& fields() const noexcept { return fields_; }
    bool empty() const noexcept { return fields_.empty(); }
    std::size_t size() const noexcept { return fields_.size(); }

    bool operator==(const HeaderFields&) const = default;

  private:
    std::vector<Field> fields_;
};

}  // namespace conflictlab
