// Fuzz target: entity tags and If-Match / If-None-Match field values
// (common/etag.hpp). Properties: no exception escapes the parsers; a parsed
// tag formats back to a form that parses to the same tag; a parsed condition
// re-serialised as a list parses to the same condition; strong comparison
// implies weak comparison, and a weak tag never compares strongly.

#include <cstddef>
#include <cstdint>
#include <string>

#include "conflictlab/common/etag.hpp"
#include "fuzz_check.hpp"

using conflictlab::EntityTag;
using conflictlab::EtagStyle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = conflictlab::fuzz::as_text(data, size);

    if (auto tag = conflictlab::parse_entity_tag(text)) {
        const std::string wire = conflictlab::format_entity_tag(*tag);
        const auto again = conflictlab::parse_entity_tag(wire);
        FUZZ_CHECK(again.has_value());
        FUZZ_CHECK(*again == *tag);
        FUZZ_CHECK(conflictlab::weak_compare(*tag, *again));
        FUZZ_CHECK(conflictlab::strong_compare(*tag, *again) == !tag->weak);
        // Every style writes something that parses back to the same opaque
        // part; the unquoted style (sloppy servers) cannot carry an empty tag
        // or one that starts like a weak prefix.
        const bool unquotable = !tag->opaque.empty() && !tag->opaque.starts_with("W/");
        for (auto style : {EtagStyle::strong, EtagStyle::weak, EtagStyle::unquoted}) {
            if (style == EtagStyle::unquoted && !unquotable)
                continue;
            const auto styled =
                conflictlab::parse_entity_tag(conflictlab::format_entity_tag(tag->opaque, style));
            FUZZ_CHECK(styled.has_value());
            FUZZ_CHECK(styled->opaque == tag->opaque);
            FUZZ_CHECK(styled->weak == (style == EtagStyle::weak));
        }
    }

    if (auto condition = conflictlab::parse_entity_tag_condition(text)) {
        FUZZ_CHECK(!condition->any || condition->tags.empty());
        std::string list;
        if (condition->any) {
            list = "*";
        } else {
            for (const EntityTag& tag : condition->tags) {
                if (!list.empty())
                    list += ", ";
                list += conflictlab::format_entity_tag(tag);
            }
        }
        const auto again = conflictlab::parse_entity_tag_condition(list);
        // An empty list (e.g. the field value ",") has nothing to re-serialise.
        if (!list.empty()) {
            FUZZ_CHECK(again.has_value());
            FUZZ_CHECK(again->any == condition->any);
            FUZZ_CHECK(again->tags == condition->tags);
        }
    }
    return 0;
}
