// parse_json and dump_json must be indistinguishable from nlohmann's parse
// and dump: same values, same types (unsigned vs signed integers), same
// bytes, same errors. Each case is checked against nlohmann itself.
#include "conflictlab/common/json_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace conflictlab {
namespace {

using nlohmann::json;

// Same type at every node (operator== equates 1u with 1) and same dump.
void expect_same_tree(const json& a, const json& b) {
    ASSERT_EQ(a.type(), b.type()) << a.dump() << " vs " << b.dump();
    if (a.is_object()) {
        ASSERT_EQ(a.size(), b.size());
        for (auto it = a.begin(); it != a.end(); ++it)
            expect_same_tree(it.value(), b.at(it.key()));
    } else if (a.is_array()) {
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            expect_same_tree(a[i], b[i]);
    }
    EXPECT_EQ(a.dump(), b.dump());
}

void expect_like_nlohmann(const std::string& text) {
    SCOPED_TRACE(text);
    const json reference = json::parse(text, nullptr, false);
    const json fast = parse_json(text, false);
    ASSERT_EQ(fast.is_discarded(), reference.is_discarded());
    if (reference.is_discarded()) {
        std::string expected, actual;
        try {
            const json ignored = json::parse(text);
        } catch (const json::parse_error& e) {
            expected = e.what();
        }
        try {
            const json ignored = parse_json(text);
        } catch (const json::parse_error& e) {
            actual = e.what();
        }
        EXPECT_FALSE(expected.empty());
        EXPECT_EQ(actual, expected);
        return;
    }
    expect_same_tree(fast, reference);
}

TEST(ParseJson, FastPathDocumentsMatchNlohmann) {
    for (const char* text : {
             R"({"updated_at":1764000000000,"fields":{"f0":{"ts":17,"value":"w-1-2"},"f1":null}})",
             R"({"b":1,"a":2})",  // unsorted keys
             R"({"a":1,"a":2})",  // duplicate key: the last wins
             R"( { "a" : [ 1 , -2 , true , false , null , "x" , [] , {} ] } )",
             "\t\r\n[0]\n",
             "-0",
             "0",
             "123456789012345678",   // 18 digits
             "-123456789012345678",  // 18 digits
             R"("")",
             R"([[[[[[]]]]]])",
             R"({"items":["w-1-1","w-2-1"]})",
         }) {
        expect_like_nlohmann(text);
    }
}

TEST(ParseJson, FallbackCasesMatchNlohmann) {
    for (const char* text : {
             "1.5", "1e3", "-2E-2", "0.0",  // fractions and exponents
             "1234567890123456789",         // 19 digits: nlohmann decides
             "18446744073709551615",        // uint64 max
             "18446744073709551616",        // beyond: a double
             "-9223372036854775808",        // int64 min
             "-9223372036854775809",        // beyond: a double
             R"("a\"b\\c\n\u00e9")",        // escapes
             "\"caf\xc3\xa9\"",             // UTF-8
             "\"\xff\"",                    // invalid UTF-8: an error
             "\xEF\xBB\xBF{}",              // BOM
         }) {
        expect_like_nlohmann(text);
    }
}

TEST(ParseJson, ErrorsAreNlohmannsOwn) {
    for (const char* text : {
             "",
             " ",
             "{",
             "}",
             "[1,]",
             "{\"a\":}",
             "{\"a\" 1}",
             "{a:1}",
             "01",
             "-",
             "+1",
             "tru",
             "nulll",
             "[1 2]",
             "{\"a\":1,}",
             "{} x",
             "\"unterminated",
             "\"tab\there\"",
             "[1]]",
             "{\"a\":1}{",
         }) {
        expect_like_nlohmann(text);
    }
}

TEST(ParseJson, DeepNestingBeyondTheFastPathStillParses) {
    const std::string deep = std::string(200, '[') + std::string(200, ']');
    expect_like_nlohmann(deep);
    std::string objects;
    for (int i = 0; i < 100; ++i)
        objects += "{\"k\":";
    objects += "1";
    objects += std::string(100, '}');
    expect_like_nlohmann(objects);
}

TEST(DumpJson, WritesTheSameBytesAsDump) {
    for (const char* text : {
             R"({"updated_at":1764000000000,"fields":{"f0":{"ts":17,"value":"w-1-2"},"f1":null}})",
             R"([1,-2,true,false,null,"",[],{},{"a":[{"b":[]}]}])",
             R"({"q":"say \"hi\" \\ back","z":18446744073709551615,"n":-9223372036854775808})",
             R"({"float":1.5,"e":1e300,"neg":-0.0})",              // floats: dump() itself
             R"({"s":"caf\u00e9","t":"tab\there","c":"\u0001"})",  // non-ASCII, controls
             "\"\u007f\"",                                         // DEL is printable for nlohmann
         }) {
        SCOPED_TRACE(text);
        const json j = json::parse(text);
        EXPECT_EQ(dump_json(j), j.dump());
    }
    const std::string deep = std::string(100, '[') + std::string(100, ']');
    EXPECT_EQ(dump_json(json::parse(deep)), deep);
}

TEST(DumpJson, OutsideTheFastSubsetAppendLeavesTheOutputAlone) {
    std::string out = "prefix";
    EXPECT_TRUE(append_json_fast(out, json{{"a", 1}}));
    EXPECT_EQ(out, R"(prefix{"a":1})");
    EXPECT_FALSE(append_json_fast(out, json{{"a", 1}, {"b", 0.5}}));
    EXPECT_EQ(out, R"(prefix{"a":1})");
    EXPECT_FALSE(append_json_fast(out, json("caf\xc3\xa9")));
    EXPECT_EQ(out, R"(prefix{"a":1})");
}

TEST(DumpJson, InvalidUtf8IsDumpsOwnError) {
    const json bad = std::string("\xff");
    std::string expected;
    try {
        (void)bad.dump().size();
    } catch (const json::type_error& e) {
        expected = e.what();
    }
    ASSERT_FALSE(expected.empty());
    try {
        (void)dump_json(bad).size();
        ADD_FAILURE() << "no exception";
    } catch (const json::type_error& e) {
        EXPECT_EQ(std::string(e.what()), expected);
    }
}

}  // namespace
}  // namespace conflictlab
