#pragma once
// Entity tags (RFC 9110 8.8.3) and the If-Match / If-None-Match field values
// (RFC 9110 13.1.1, 13.1.2).
//
// ETags are opaque: nothing here looks inside `opaque` for meaning. Parsing is
// tolerant of sloppy servers that send unquoted tags (`abc` is read as the
// strong tag "abc"), but formatting always produces the form asked for.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conflictlab {

struct EntityTag {
    std::string opaque;  // the characters between the quotes
    bool weak = false;   // W/ prefix

    bool operator==(const EntityTag&) const = default;
};

// How a server writes its tags on the wire.
enum class EtagStyle { strong, weak, unquoted };

// Parses one entity tag. Accepts `"x"`, `W/"x"`, and the unquoted `x`
// (tolerated, read as strong). Returns nullopt for empty input, embedded
// quotes, or characters outside etagc (controls, spaces).
std::optional<EntityTag> parse_entity_tag(std::string_view text);

// `"x"`, `W/"x"` or `x` depending on style (weak style forces the W/ prefix).
std::string format_entity_tag(const EntityTag& tag);
std::string format_entity_tag(std::string_view opaque, EtagStyle style);

// RFC 9110 8.8.3.2: strong comparison: both strong and opaque equal.
bool strong_compare(const EntityTag& a, const EntityTag& b) noexcept;
// Weak comparison: opaque equal, weakness ignored.
bool weak_compare(const EntityTag& a, const EntityTag& b) noexcept;

// The value of If-Match / If-None-Match: "*" or a comma-separated list.
struct EntityTagCondition {
    bool any = false;              // "*"
    std::vector<EntityTag> tags;   // empty when any
};

// Parses a (possibly combined) field value. nullopt when any member is not a
// valid entity tag, or when "*" is mixed with tags.
std::optional<EntityTagCondition> parse_entity_tag_condition(std::string_view text);

}  // namespace conflictlab
