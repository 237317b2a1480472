// ETag generation: shapes per scheme, wire styles, and the promise that a
// token never repeats within a server lifetime, across scheme switches.

#include "conflictlab/mock/etag_generator.hpp"

#include <gtest/gtest.h>

#include <set>

namespace conflictlab::mock {
namespace {

// Whether `text` has the shape of `pattern`, where 'h' stands for a lower-case
// hex digit, 'v' for one of 89ab (the UUID variant), and any other character
// for itself. (std::regex trips a GCC 12 warning in sanitizer builds.)
bool shaped(std::string_view text, std::string_view pattern) {
    if (text.size() != pattern.size()) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        switch (pattern[i]) {
            case 'h':
                if (!hex) {
                    return false;
                }
                break;
            case 'v':
                if (std::string_view("89ab").find(c) == std::string_view::npos) {
                    return false;
                }
                break;
            default:
                if (c != pattern[i]) {
                    return false;
                }
        }
    }
    return true;
}

TEST(EtagGenerator, CounterSchemeIsDecimal) {
    EtagGenerator g(EtagStyle::strong, EtagScheme::counter, 1);
    EXPECT_EQ(g.next("a", 1), "1");
    EXPECT_EQ(g.next("a", 2), "2");
}

TEST(EtagGenerator, HashSchemeIs32HexDigits) {
    EtagGenerator g(EtagStyle::strong, EtagScheme::hash, 1);
    EXPECT_TRUE(shaped(g.next("a", 1), std::string(32, 'h')));
}

TEST(EtagGenerator, UuidSchemeHasVersion4Shape) {
    EtagGenerator g(EtagStyle::strong, EtagScheme::uuid, 1);
    EXPECT_TRUE(shaped(g.next("a", 1), "hhhhhhhh-hhhh-4hhh-vhhh-hhhhhhhhhhhh"));
}

TEST(EtagGenerator, SameSeedSameTokens) {
    EtagGenerator a(EtagStyle::strong, EtagScheme::uuid, 42);
    EtagGenerator b(EtagStyle::strong, EtagScheme::uuid, 42);
    EtagGenerator c(EtagStyle::strong, EtagScheme::uuid, 43);
    const auto first = a.next("x", 1);
    EXPECT_EQ(first, b.next("x", 1));
    EXPECT_NE(first, c.next("x", 1));
}

TEST(EtagGenerator, NeverRepeatsAcrossSchemeSwitches) {
    EtagGenerator g(EtagStyle::strong, EtagScheme::counter, 7);
    std::set<std::string> seen;
    const EtagScheme schemes[] = {EtagScheme::counter, EtagScheme::hash, EtagScheme::uuid};
    for (int i = 0; i < 30000; ++i) {
        g.set_scheme(schemes[i % 3]);
        // Same id and version every time: only the sequence keeps tokens apart.
        EXPECT_TRUE(seen.insert(g.next("same", 1)).second) << i;
    }
}

TEST(EtagGenerator, StyleOnlyChangesFormatting) {
    EtagGenerator g(EtagStyle::strong, EtagScheme::counter, 1);
    EXPECT_EQ(g.format("7"), "\"7\"");
    g.set_style(EtagStyle::weak);
    EXPECT_EQ(g.format("7"), "W/\"7\"");
    g.set_style(EtagStyle::unquoted);
    EXPECT_EQ(g.format("7"), "7");
}

TEST(EtagGenerator, NamesRoundTrip) {
    for (auto s : {EtagStyle::strong, EtagStyle::weak, EtagStyle::unquoted}) {
        EXPECT_EQ(etag_style_from_name(etag_style_name(s)), s);
    }
    for (auto s : {EtagScheme::counter, EtagScheme::hash, EtagScheme::uuid}) {
        EXPECT_EQ(etag_scheme_from_name(etag_scheme_name(s)), s);
    }
    EXPECT_FALSE(etag_style_from_name("Strong"));
    EXPECT_FALSE(etag_scheme_from_name("md5"));
}

}  // namespace
}  // namespace conflictlab::mock
