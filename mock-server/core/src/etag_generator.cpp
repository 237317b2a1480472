#include "conflictlab/mock/etag_generator.hpp"

#include <array>

namespace conflictlab::mock {

namespace {

// SplitMix64's finalizer: a bijection on 64-bit values with good avalanche.
std::uint64_t mix64(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// The same idea restricted to 62 bits (xor-shift and odd multiplication modulo
// 2^62 are each bijective), leaving room for the UUID variant bits.
std::uint64_t mix62(std::uint64_t z) noexcept {
    constexpr std::uint64_t mask = (std::uint64_t{1} << 62) - 1;
    z &= mask;
    z ^= z >> 31;
    z = (z * 0xbf58476d1ce4e5b9ULL) & mask;
    z ^= z >> 29;
    z = (z * 0x94d049bb133111ebULL) & mask;
    return z ^ (z >> 32);
}

std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) noexcept {
    for (char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

void append_hex(std::string& out, std::uint64_t v, int digits) {
    static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                  '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
        out.push_back(kHex[(v >> shift) & 0xf]);
    }
}

}  // namespace

EtagGenerator::EtagGenerator(EtagStyle style, EtagScheme scheme, std::uint64_t seed)
    : style_(style), scheme_(scheme), seed_(seed), epoch_(mix64(seed ^ 0x6a09e667f3bcc908ULL)) {}

std::string EtagGenerator::next(std::string_view id, std::uint64_t version) {
    // The sequence number is what makes tokens unique; everything else is looks.
    const std::uint64_t n = sequence_.fetch_add(1, std::memory_order_relaxed) + 1;
    std::string out;
    switch (scheme()) {
        case EtagScheme::counter:
            return std::to_string(n);
        case EtagScheme::hash: {
            std::uint64_t h = fnv1a(0xcbf29ce484222325ULL ^ epoch_, id);
            h = mix64(h ^ version);
            out.reserve(32);
            append_hex(out, h, 16);
            append_hex(out, mix64(n ^ epoch_), 16);  // bijective in n
            return out;
        }
        case EtagScheme::uuid: {
            std::uint64_t hi = mix64(seed_ + n * 0x9e3779b97f4a7c15ULL);
            hi = (hi & ~std::uint64_t{0xf000}) | 0x4000;  // version 4
            const std::uint64_t lo =
                (std::uint64_t{0b10} << 62) | mix62(n ^ seed_);  // variant 10, bijective in n
            out.reserve(36);
            append_hex(out, hi >> 32, 8);
            out.push_back('-');
            append_hex(out, (hi >> 16) & 0xffff, 4);
            out.push_back('-');
            append_hex(out, hi & 0xffff, 4);
            out.push_back('-');
            append_hex(out, lo >> 48, 4);
            out.push_back('-');
            append_hex(out, lo & 0xffffffffffffULL, 12);
            return out;
        }
    }
    return std::to_string(n);
}

std::string EtagGenerator::format(std::string_view token) const {
    return format_entity_tag(token, style());
}

std::string_view etag_style_name(EtagStyle style) noexcept {
    switch (style) {
        case EtagStyle::strong:
            return "strong";
        case EtagStyle::weak:
            return "weak";
        case EtagStyle::unquoted:
            return "unquoted";
    }
    return "strong";
}

std::string_view etag_scheme_name(EtagScheme scheme) noexcept {
    switch (scheme) {
        case EtagScheme::counter:
            return "counter";
        case EtagScheme::hash:
            return "hash";
        case EtagScheme::uuid:
            return "uuid";
    }
    return "counter";
}

std::optional<EtagStyle> etag_style_from_name(std::string_view name) noexcept {
    if (name == "strong") {
        return EtagStyle::strong;
    }
    if (name == "weak") {
        return EtagStyle::weak;
    }
    if (name == "unquoted") {
        return EtagStyle::unquoted;
    }
    return std::nullopt;
}

std::optional<EtagScheme> etag_scheme_from_name(std::string_view name) noexcept {
    if (name == "counter") {
        return EtagScheme::counter;
    }
    if (name == "hash") {
        return EtagScheme::hash;
    }
    if (name == "uuid") {
        return EtagScheme::uuid;
    }
    return std::nullopt;
}

}  // namespace conflictlab::mock
