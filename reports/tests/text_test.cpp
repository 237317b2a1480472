// Escaping and number formatting: the two things every report line relies on.
#include <gtest/gtest.h>

#include "svg.hpp"
#include "text.hpp"

namespace conflictlab::reports::detail {
namespace {

TEST(Escape, Html_EscapesMarkupAndQuotes) {
    EXPECT_EQ(escape_html("<a href=\"x\" title='y'>&</a>"),
              "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

TEST(Escape, Html_InvalidUtf8BecomesReplacementCharacter) {
    EXPECT_EQ(escape_html("a\xFF"
                          "b"),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(escape_html("caf\xC3\xA9"), "caf\xC3\xA9");  // valid UTF-8 kept
}

TEST(Escape, Html_DropsControlCharacters) {
    EXPECT_EQ(escape_html(std::string("a\x01\x1b[31mb", 8)), "a[31mb");
}

TEST(Escape, Markdown_NoRawHtmlAndNoTableBreak) {
    EXPECT_EQ(escape_markdown("a|b<script>\n*x*"), "a\\|b&lt;script&gt; \\*x\\*");
}

TEST(Format, CountsGroupThousands) {
    EXPECT_EQ(format_count(1234567), "1 234 567");
    EXPECT_EQ(format_count(0), "0");
    EXPECT_EQ(format_count(2.5), "2.5");
}

TEST(Format, ShortAxisLabels) {
    EXPECT_EQ(format_short(1500), "1.5k");
    EXPECT_EQ(format_short(20000), "20k");
    EXPECT_EQ(format_short(1200000), "1.2M");
    EXPECT_EQ(format_short(0.5), "0.5");
    EXPECT_EQ(format_short(40), "40");
}

TEST(Format, ShareOfZeroTotalIsZero) {
    EXPECT_EQ(format_share(3, 0), "0 %");
    EXPECT_EQ(format_share(1, 3), "33.3 %");
}

TEST(Format, TruncateIsUtf8Aware) {
    EXPECT_EQ(truncate("\xC3\xA9\xC3\xA9\xC3\xA9", 2), "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
    EXPECT_EQ(truncate("abc", 3), "abc");
}

TEST(Coarsen, SumsAdjacentSlotsToTheLimit) {
    std::vector<double> v = {1, 2, 3, 4, 5};
    EXPECT_EQ(coarsen(v, 2), 3u);
    EXPECT_EQ(v, (std::vector<double>{6, 9}));
    std::vector<double> w = {1, 2};
    EXPECT_EQ(coarsen(w, 10), 1u);
    EXPECT_EQ(w, (std::vector<double>{1, 2}));
}

}  // namespace
}  // namespace conflictlab::reports::detail
