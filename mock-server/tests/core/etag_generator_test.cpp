// ETag generation: shapes per scheme, wire styles, and the promise that a
// token never repeats within a server lifetime, across scheme switches.

#include "conflictlab/mock/etag_generator.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace conflictlab::mock {
namespace {

TEST(EtagGenerator, CounterSchemeIsDecimal) {
    EtagGenerator g(EtagStyle::strong, EtagScheme::counter, 1);
    EXPECT_EQ(g.next("a", 1), "1");
    EXPECT_EQ(g.next("a", 2), "2");
}

TEST(EtagGenerator, HashSchemeIs32HexDigits) {
    EtagGenerator g(EtagStyle::strong, EtagScheme::hash, 1);
    EXPECT_TRUE(std::regex_match(g.next("a", 1), std::regex("[0-9a-f]{32}")));
}

TEST(EtagGenerator, UuidSchemeHasVersion4Shape) {
    EtagGenerator g(EtagStyle::strong, EtagScheme::uuid, 1);
    EXPECT_TRUE(std::regex_match(
        g.next("a", 1),
        std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
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
