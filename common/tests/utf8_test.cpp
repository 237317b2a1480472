#include "conflictlab/common/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace conflictlab {
namespace {

TEST(Rfc3629_Utf8, DecodesOneToFourByteCharacters) {
    const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a, é, €, 😀
    EXPECT_EQ(decode_utf8(text, 0).length, 1u);
    EXPECT_EQ(decode_utf8(text, 1).length, 2u);
    EXPECT_EQ(decode_utf8(text, 1).code_point, 0xE9u);
    EXPECT_EQ(decode_utf8(text, 3).length, 3u);
    EXPECT_EQ(decode_utf8(text, 3).code_point, 0x20ACu);
    EXPECT_EQ(decode_utf8(text, 6).length, 4u);
    EXPECT_EQ(decode_utf8(text, 6).code_point, 0x1F600u);
}

TEST(Rfc3629_Utf8, RejectsWhatIsNotUtf8) {
    EXPECT_EQ(decode_utf8("\x80", 0).length, 0u);              // stray continuation
    EXPECT_EQ(decode_utf8("\xE2\x82", 0).length, 0u);          // truncated
    EXPECT_EQ(decode_utf8("\xC0\xAF", 0).length, 0u);          // overlong '/'
    EXPECT_EQ(decode_utf8("\xED\xA0\x80", 0).length, 0u);      // surrogate U+D800
    EXPECT_EQ(decode_utf8("\xF4\x90\x80\x80", 0).length, 0u);  // U+110000
    EXPECT_EQ(decode_utf8("\xFF", 0).length, 0u);
}

}  // namespace
}  // namespace conflictlab
