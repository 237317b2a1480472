#include "conflictlab/common/etag.hpp"

namespace conflictlab {

namespace {

// etagc = %x21 / %x23-7E / obs-text (RFC 9110 8.8.3)
bool is_etagc(unsigned char c) noexcept { return c == 0x21 || (c >= 0x23 && c != 0x7f); }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool all_etagc(std::string_view s) noexcept {
    for (char c : s) {
        if (!is_etagc(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

}  // namespace

std::optional<EntityTag> parse_entity_tag(std::string_view text) {
    text = trim(text);
    EntityTag tag;
    if (text.size() >= 2 && text[0] == 'W' && text[1] == '/') {
        tag.weak = true;
        text.remove_prefix(2);
    }
    if (text.empty()) return std::nullopt;
    if (text.front() == '"') {
        if (text.size() < 2 || text.back() != '"') return std::nullopt;
        text = text.substr(1, text.size() - 2);
    } else if (tag.weak) {
        return std::nullopt;  // W/ must be followed by a quoted tag
    } else if (text.empty()) {
        return std::nullopt;
    }
    if (!all_etagc(text)) return std::nullopt;
    // An unquoted empty value was rejected above; `""` is a valid empty tag.
    tag.opaque = std::string(text);
    return tag;
}

std::string format_entity_tag(const EntityTag& tag) {
    return (tag.weak ? "W/\"" : "\"") + tag.opaque + "\"";
}

std::string format_entity_tag(std::string_view opaque, EtagStyle style) {
    switch (style) {
        case EtagStyle::strong: return "\"" + std::string(opaque) + "\"";
        case EtagStyle::weak: return "W/\"" + std::string(opaque) + "\"";
        case EtagStyle::unquoted: return std::string(opaque);
    }
    return std::string(opaque);
}

bool strong_compare(const EntityTag& a, const EntityTag& b) noexcept {
    return !a.weak && !b.weak && a.opaque == b.opaque;
}

bool weak_compare(const EntityTag& a, const EntityTag& b) noexcept { return a.opaque == b.opaque; }

std::optional<EntityTagCondition> parse_entity_tag_condition(std::string_view text) {
    text = trim(text);
    EntityTagCondition cond;
    if (text == "*") {
        cond.any = true;
        return cond;
    }
    // Split on commas outside quotes: opaque tags may not contain '"' but may
    // contain ','.
    std::size_t start = 0;
    bool in_quotes = false;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] == '"') in_quotes = !in_quotes;
        if (i == text.size() || (text[i] == ',' && !in_quotes)) {
            auto member = trim(text.substr(start, i - start));
            start = i + 1;
            if (member.empty()) continue;  // RFC 9110 5.6.1: empty list elements are ignored
            if (member == "*") return std::nullopt;  // "*" stands alone, never in a list
            auto tag = parse_entity_tag(member);
            if (!tag) return std::nullopt;
            cond.tags.push_back(std::move(*tag));
        }
    }
    if (in_quotes || cond.tags.empty()) return std::nullopt;
    return cond;
}

}  // namespace conflictlab
