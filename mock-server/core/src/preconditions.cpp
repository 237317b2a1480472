#include "preconditions.hpp"

namespace conflictlab::mock {

std::optional<std::string_view> parse_preconditions(const HeaderFields& headers,
                                                    Preconditions& out) {
    if (auto value = headers.get_combined("If-Match")) {
        out.if_match = parse_entity_tag_condition(*value);
        if (!out.if_match) {
            return "If-Match";
        }
    }
    if (auto value = headers.get_combined("If-None-Match")) {
        out.if_none_match = parse_entity_tag_condition(*value);
        if (!out.if_none_match) {
            return "If-None-Match";
        }
    }
    return std::nullopt;
}

bool if_match_passes(const EntityTagCondition& condition, const ResourceVersion* current,
                     bool lenient_weak_match) noexcept {
    if (current == nullptr || current->deleted) {
        return false;
    }
    if (condition.any) {
        return true;
    }
    for (const auto& tag : condition.tags) {
        // Strong comparison: a weak tag never matches (RFC 9110 8.8.3.2).
        if (tag.weak && !lenient_weak_match) {
            continue;
        }
        if (tag.opaque == current->etag) {
            return true;
        }
    }
    return false;
}

bool if_none_match_matches(const EntityTagCondition& condition,
                           const ResourceVersion* current) noexcept {
    if (current == nullptr || current->deleted) {
        return false;
    }
    if (condition.any) {
        return true;
    }
    for (const auto& tag : condition.tags) {
        if (tag.opaque == current->etag) {  // weak comparison: weakness ignored
            return true;
        }
    }
    return false;
}

}  // namespace conflictlab::mock
