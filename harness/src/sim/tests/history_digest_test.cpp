// The canonical history and its digest.
#include <gtest/gtest.h>

#include "conflictlab/harness/sim/history_digest.hpp"

namespace conflictlab::harness::sim {
namespace {

std::string fnv(std::string_view s) {
    Fnv1a64 h;
    h.update(s);
    return h.hex();
}

TEST(HistoryDigest, Fnv1a64KnownVectors) {
    // Reference values of the FNV-1a 64-bit test suite (Fowler, Noll, Vo).
    EXPECT_EQ(fnv(""), "fnv1a64:cbf29ce484222325");
    EXPECT_EQ(fnv("a"), "fnv1a64:af63dc4c8601ec8c");
    EXPECT_EQ(fnv("foobar"), "fnv1a64:85944171f73967e8");
}

TEST(HistoryDigest, IncrementalEqualsWhole) {
    Fnv1a64 h;
    h.update("foo");
    h.update("bar");
    EXPECT_EQ(h.hex(), fnv("foobar"));
}

OpRecord sample_op() {
    OpRecord op;
    op.op_id = "w0-0";
    op.writer_id = "w0";
    op.group = "default";
    op.resource_id = "r-0";
    op.intent.element = "w0-0";
    op.invoked_ms = 1.5;
    op.completed_ms = 42.25;
    op.outcome.kind = engine::OutcomeKind::resolved;
    op.outcome.path = "refetch>merge>retry";
    op.outcome.attempts = 2;
    op.outcome.statuses = {412, 200, 200};
    return op;
}

TEST(HistoryDigest, OpLineIsOneJsonLineWithTheRunHistoryFields) {
    const std::string line = canonical_op_line(sample_op());
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    const auto j = nlohmann::json::parse(line);
    for (const char* key : {"op_id", "writer_id", "group", "resource_id", "intent", "invoked_ns",
                            "completed_ns", "outcome"}) {
        EXPECT_TRUE(j.contains(key)) << key;
    }
    EXPECT_EQ(j["invoked_ns"], 1'500'000);  // times as integer nanoseconds
    EXPECT_EQ(j["outcome"]["path"], "refetch>merge>retry");
    EXPECT_EQ(j["outcome"]["statuses"], nlohmann::json({412, 200, 200}));
    EXPECT_EQ(canonical_op_line(sample_op()), line);  // a pure function
}

TEST(HistoryDigest, StringsAreEscapedAsJson) {
    OpRecord op = sample_op();
    op.outcome.detail = "quote \" backslash \\ newline \n tab \t bell \x07 caf\xc3\xa9";
    op.intent.fields["/fields/f0"] = nlohmann::json{{"value", "x"}, {"ts", 5}};
    const auto j = nlohmann::json::parse(canonical_op_line(op));
    EXPECT_EQ(j["outcome"]["detail"], op.outcome.detail);
    EXPECT_EQ(j["intent"]["fields"]["/fields/f0"]["ts"], 5);
}

// The digest hashes these bytes: the escaping itself must not change, also
// for escapes at the ends of a string and next to each other.
TEST(HistoryDigest, EscapedBytesAreExact) {
    OpRecord op = sample_op();
    op.outcome.detail =
        "\"a\\\n\x01"
        "b\"";
    const std::string line = canonical_op_line(op);
    EXPECT_NE(line.find(R"("detail":"\"a\\\u000a\u0001b\"")"), std::string::npos) << line;
    op.outcome.detail = "plain";
    EXPECT_NE(canonical_op_line(op).find(R"("detail":"plain")"), std::string::npos);
}

TEST(HistoryDigest, AnyChangeChangesTheLine) {
    OpRecord a = sample_op();
    OpRecord b = sample_op();
    b.completed_ms = 42.26;  // a timing difference is a different history
    EXPECT_NE(canonical_op_line(a), canonical_op_line(b));
}

TEST(HistoryDigest, ResourceLineCarriesTheServerHistory) {
    ServerResource r;
    r.id = "r-0";
    r.writes.push_back({1, "1", "", "", false, "PUT", "seed", ""});
    r.writes.push_back({2, "2", "1", "", false, "PUT", "w0", "w0-0"});
    r.final_body = nlohmann::json{{"items", {"w0-0"}}};
    r.final_etag = "2";
    const auto j = nlohmann::json::parse(canonical_resource_line(r));
    EXPECT_EQ(j["resource_id"], "r-0");
    EXPECT_EQ(j["server_writes"].size(), 2u);
    // [version, etag, replaced_etag, method, writer_id, op_id]
    EXPECT_EQ(j["server_writes"][1], nlohmann::json({2, "2", "1", "PUT", "w0", "w0-0"}));
    EXPECT_EQ(j["final_body"]["items"][0], "w0-0");
}

}  // namespace
}  // namespace conflictlab::harness::sim
