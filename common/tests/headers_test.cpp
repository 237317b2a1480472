#include "conflictlab/common/headers.hpp"

#include <gtest/gtest.h>

using namespace conflictlab;

// RFC 9110 5.1: field names are case-insensitive.
TEST(HeaderFields, LookupIsCaseInsensitive) {
    HeaderFields h{{"ETag", "\"a\""}};
    EXPECT_EQ(h.get("etag"), "\"a\"");
    EXPECT_EQ(h.get("ETAG"), "\"a\"");
    EXPECT_FALSE(h.get("If-Match"));
}

// RFC 9110 5.3: repeated list fields combine with commas in order.
TEST(HeaderFields, CombinesRepeatedFields) {
    HeaderFields h;
    h.add("If-Match", "\"a\"");
    h.add("if-match", "\"b\"");
    EXPECT_EQ(h.get_combined("If-Match"), "\"a\", \"b\"");
}

TEST(HeaderFields, SetReplacesAllAndEraseRemoves) {
    HeaderFields h{{"X", "1"}, {"x", "2"}, {"Y", "3"}};
    h.set("X", "9");
    EXPECT_EQ(h.get_combined("x"), "9");
    h.erase("y");
    EXPECT_FALSE(h.contains("Y"));
    EXPECT_EQ(h.size(), 1u);
}
