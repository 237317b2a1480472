// match.path globs: `?` one character, `*` within a segment, `**` across
// segments; everything else literal; the query string is ignored.

#include <gtest/gtest.h>

#include <string>

#include "conflictlab/mock/faults/path_glob.hpp"

namespace conflictlab::mock {
namespace {

struct GlobCase {
    const char* pattern;
    const char* text;
    bool matches;
};

class PathGlob : public ::testing::TestWithParam<GlobCase> {};

TEST_P(PathGlob, Matches) {
    const GlobCase& c = GetParam();
    EXPECT_EQ(glob_match(c.pattern, c.text), c.matches) << c.pattern << " vs " << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PathGlob,
    ::testing::Values(
        // Literals match exactly, byte for byte, case-sensitively.
        GlobCase{"/resources/a", "/resources/a", true},
        GlobCase{"/resources/a", "/resources/ab", false},
        GlobCase{"/resources/ab", "/resources/a", false},
        GlobCase{"/resources/A", "/resources/a", false}, GlobCase{"", "", true},
        GlobCase{"", "/", false},
        // The documented example.
        GlobCase{"/resources/hot-*", "/resources/hot-1", true},
        GlobCase{"/resources/hot-*", "/resources/hot-", true},
        GlobCase{"/resources/hot-*", "/resources/cold-1", false},
        // `*` stays inside one segment.
        GlobCase{"/resources/*", "/resources/a", true},
        GlobCase{"/resources/*", "/resources/", true},
        GlobCase{"/resources/*", "/resources", false},
        GlobCase{"/resources/*", "/resources/a/b", false}, GlobCase{"/*/a", "/resources/a", true},
        GlobCase{"/*/a", "/x/y/a", false}, GlobCase{"/r/*b*c", "/r/xbyc", true},
        GlobCase{"/r/*b*c", "/r/xb/c", false}, GlobCase{"/r/*.json", "/r/a.b.json", true},
        // `**` crosses segments, also matching nothing.
        GlobCase{"/resources/**", "/resources/a/b/c", true},
        GlobCase{"/resources/**", "/resources/", true},
        GlobCase{"/**/history", "/resources/a/history", true},
        GlobCase{"/**/history", "/resources/a/historyx", false},
        GlobCase{"**", "/anything/at/all", true}, GlobCase{"/a/**/z", "/a/b/c/z", true},
        GlobCase{"/a/**/z", "/a//z", true}, GlobCase{"/a/**/z", "/a/z", false},
        GlobCase{"/a/***", "/a/b/c", true},
        // `**` retries past a `*` that hit a '/'.
        GlobCase{"/**/*-x", "/a/b-y/c-x", true}, GlobCase{"/**/*-x", "/a/b-x/c-y", false},
        // `?` is one character, never '/'.
        GlobCase{"/resources/?", "/resources/a", true},
        GlobCase{"/resources/?", "/resources/ab", false},
        GlobCase{"/resources/?", "/resources/", false}, GlobCase{"/a?b", "/a/b", false},
        // No character classes or escapes: brackets and backslashes are literal.
        GlobCase{"/r/[ab]", "/r/[ab]", true}, GlobCase{"/r/[ab]", "/r/a", false},
        GlobCase{"/r/\\*", "/r/\\x", true},
        // The query string is not part of the path.
        GlobCase{"/resources/a", "/resources/a?x=1", true},
        GlobCase{"/resources/*", "/resources?limit=10", false},
        GlobCase{"/resources", "/resources?limit=10", true}));

// Wildcard-heavy patterns against long non-matching paths finish quickly (the
// abort rule bounds backtracking); without it this takes exponential time.
TEST(PathGlobCost, PathologicalPatternsStayPolynomial) {
    const std::string text = "/" + std::string(200, 'a');
    EXPECT_FALSE(glob_match("/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
    EXPECT_FALSE(glob_match("/**a**a**a**a**a**a**a**a**a**a**a**a**b", text));
    const std::string segments = [] {
        std::string s;
        for (int i = 0; i < 60; ++i) {
            s += "/aaaa";
        }
        return s;
    }();
    EXPECT_FALSE(glob_match("/**/*a*a*a/**/*a*a*b/**/*a*a*a/**/x", segments));
}

}  // namespace
}  // namespace conflictlab::mock
