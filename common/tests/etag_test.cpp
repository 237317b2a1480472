#include "conflictlab/common/etag.hpp"

#include <gtest/gtest.h>

using namespace conflictlab;

// RFC 9110 8.8.3: entity-tag = [ weak ] opaque-tag
TEST(EntityTagParse, StrongQuoted) {
    auto t = parse_entity_tag("\"xyzzy\"");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->opaque, "xyzzy");
    EXPECT_FALSE(t->weak);
}

TEST(EntityTagParse, Weak) {
    auto t = parse_entity_tag("W/\"xyzzy\"");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->opaque, "xyzzy");
    EXPECT_TRUE(t->weak);
}

TEST(EntityTagParse, UnquotedIsToleratedAsStrong) {
    auto t = parse_entity_tag("abc-1");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->opaque, "abc-1");
    EXPECT_FALSE(t->weak);
}

TEST(EntityTagParse, EmptyQuotedTagIsValid) {
    auto t = parse_entity_tag("\"\"");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->opaque, "");
}

TEST(EntityTagParse, RejectsGarbage) {
    EXPECT_FALSE(parse_entity_tag(""));
    EXPECT_FALSE(parse_entity_tag("\"unterminated"));
    EXPECT_FALSE(parse_entity_tag("W/unquoted"));
    EXPECT_FALSE(parse_entity_tag("\"a\"b\""));
    EXPECT_FALSE(parse_entity_tag("has space"));
    EXPECT_FALSE(parse_entity_tag(std::string("\"a\x01\"")));
}

TEST(EntityTagFormat, EachStyle) {
    EXPECT_EQ(format_entity_tag("v1", EtagStyle::strong), "\"v1\"");
    EXPECT_EQ(format_entity_tag("v1", EtagStyle::weak), "W/\"v1\"");
    EXPECT_EQ(format_entity_tag("v1", EtagStyle::unquoted), "v1");
    EXPECT_EQ(format_entity_tag(EntityTag{"v1", true}), "W/\"v1\"");
}

// RFC 9110 8.8.3.2 table: W/"1" vs W/"1" strong no, weak yes; W/"1" vs "1"
// strong no, weak yes; "1" vs "1" both yes; W/"1" vs W/"2" neither.
TEST(EntityTagCompare, Rfc9110Table) {
    EntityTag w1{"1", true}, w2{"2", true}, s1{"1", false};
    EXPECT_FALSE(strong_compare(w1, w1));
    EXPECT_TRUE(weak_compare(w1, w1));
    EXPECT_FALSE(strong_compare(w1, w2));
    EXPECT_FALSE(weak_compare(w1, w2));
    EXPECT_FALSE(strong_compare(w1, s1));
    EXPECT_TRUE(weak_compare(w1, s1));
    EXPECT_TRUE(strong_compare(s1, s1));
    EXPECT_TRUE(weak_compare(s1, s1));
}

TEST(EntityTagCondition, Star) {
    auto c = parse_entity_tag_condition(" * ");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->any);
}

TEST(EntityTagCondition, ListWithCommaInsideQuotes) {
    auto c = parse_entity_tag_condition("\"a,b\", W/\"c\" ,, \"d\"");
    ASSERT_TRUE(c);
    ASSERT_EQ(c->tags.size(), 3u);
    EXPECT_EQ(c->tags[0].opaque, "a,b");
    EXPECT_TRUE(c->tags[1].weak);
    EXPECT_EQ(c->tags[2].opaque, "d");
}

TEST(EntityTagCondition, RejectsStarMixedWithTagsAndEmpty) {
    EXPECT_FALSE(parse_entity_tag_condition("*, \"a\""));
    EXPECT_FALSE(parse_entity_tag_condition(""));
    EXPECT_FALSE(parse_entity_tag_condition("\"open"));
}
