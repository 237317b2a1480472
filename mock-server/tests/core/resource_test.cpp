// /resources/{id}: reads, creation and replacement, deletion and tombstones,
// and the version history every accepted write leaves.

#include "test_support.hpp"

namespace conflictlab::mock::testing {
namespace {

class Resources : public CoreTest {};

TEST_F(Resources, PutCreatesWith201LocationAndEtag) {
    const auto r = put("/resources/a", {{"name", "x"}});
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(header(r, "Location"), "/resources/a");
    EXPECT_EQ(header(r, "ETag"), "\"1\"");
    EXPECT_EQ(header(r, "Content-Type"), "application/json");
    EXPECT_EQ(header(r, "Last-Modified"), "Thu, 01 Jan 2026 00:00:00 GMT");
    EXPECT_EQ(r.body, R"({"name":"x"})");
}

TEST_F(Resources, PutReplacesWith200AndANewEtag) {
    create("a");
    const auto r = put("/resources/a", {{"name", "y"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(header(r, "ETag"), "\"2\"");
    EXPECT_TRUE(header(r, "Location").empty());
    EXPECT_EQ(r.body, R"({"name":"y"})");
}

TEST_F(Resources, GetReturnsBodyEtagAndLastModified) {
    create("a", {{"k", "v"}});
    clock_.advance(std::chrono::seconds(90));
    put("/resources/a", {{"k", "w"}});
    const auto r = get("/resources/a");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"k":"w"})");
    EXPECT_EQ(header(r, "ETag"), "\"2\"");
    EXPECT_EQ(header(r, "Last-Modified"), "Thu, 01 Jan 2026 00:01:30 GMT");
    EXPECT_FALSE(r.head);
}

TEST_F(Resources, HeadIsGetWithoutBodyOnTheWire) {
    create("a");
    const auto r = send("HEAD", "/resources/a");
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.head);
    EXPECT_EQ(r.body, R"({"n":0})");  // kept so the front end can send Content-Length
    EXPECT_EQ(header(r, "ETag"), "\"1\"");
}

TEST_F(Resources, HeadOfMissingResourceIsAlsoBodiless) {
    const auto r = send("HEAD", "/resources/nope");
    EXPECT_EQ(r.status, 404);
    EXPECT_TRUE(r.head);
}

TEST_F(Resources, GetMissingIs404Problem) {
    const auto r = get("/resources/nope");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(header(r, "Content-Type"), "application/problem+json");
    EXPECT_EQ(body_json(r)["detail"], "resource 'nope' does not exist");
}

TEST_F(Resources, DeleteIs204AndLeavesA404Tombstone) {
    create("a");
    clock_.advance(std::chrono::seconds(5));
    const auto d = del("/resources/a");
    EXPECT_EQ(d.status, 204);
    EXPECT_TRUE(d.body.empty());
    const auto r = get("/resources/a");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(body_json(r)["detail"], "resource 'a' was deleted at 2026-01-01T00:00:05.000Z");
    EXPECT_EQ(body_json(r)["deleted_at"], "2026-01-01T00:00:05.000Z");
    EXPECT_EQ(body_json(r)["type"], "urn:conflictlab:problem:deleted");
}

TEST_F(Resources, DeletedResourceIs410InGoneMode) {
    CoreOptions o;
    o.deleted_status = 410;
    start(o);
    create("a");
    del("/resources/a");
    EXPECT_EQ(get("/resources/a").status, 410);
    EXPECT_EQ(patch("/resources/a", {{"x", 1}}, "application/merge-patch+json").status, 410);
    EXPECT_EQ(del("/resources/a").status, 410);
    EXPECT_EQ(get("/resources/never").status, 404);  // never existed: still 404
}

TEST_F(Resources, DeleteHonoursIfMatch) {
    const auto token = etag_token(create("a"));
    EXPECT_EQ(del("/resources/a", {{"If-Match", "\"stale\""}}).status, 412);
    EXPECT_EQ(get("/resources/a").status, 200);
    EXPECT_EQ(del("/resources/a", {{"If-Match", "\"" + token + "\""}}).status, 204);
}

TEST_F(Resources, DeleteMissingIs404) {
    EXPECT_EQ(del("/resources/a").status, 404);
}

TEST_F(Resources, PutWithIfNoneMatchStarRecreatesAfterDelete) {
    create("a");
    del("/resources/a");
    const auto r = put("/resources/a", {{"n", 9}}, {{"If-None-Match", "*"}});
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(get("/resources/a").body, R"({"n":9})");
}

TEST_F(Resources, IfMatchOnDeletedResourceFails) {
    const auto token = etag_token(create("a"));
    del("/resources/a");
    EXPECT_EQ(put("/resources/a", {{"n", 1}}, {{"If-Match", "\"" + token + "\""}}).status, 412);
}

TEST_F(Resources, HistoryRecordsThePreconditionEachWriteNamed) {
    create("a");  // blind creation
    put("/resources/a", {{"n", 1}}, {{"If-Match", "\"1\""}});
    put("/resources/a", {{"n", 2}}, {{"If-Match", "*"}});
    patch("/resources/a", {{"m", 3}}, "application/merge-patch+json",
          {{"If-Match", "\"x\", \"3\""}});
    put("/resources/a", {{"n", 5}});  // blind replacement
    del("/resources/a", {{"If-Match", "\"5\""}});
    put("/resources/a", {{"n", 6}}, {{"If-None-Match", "*"}});
    const json h = history("a");
    const json& e = h["entries"];
    ASSERT_EQ(e.size(), 7u) << e.dump();
    const std::vector<std::pair<std::string, bool>> expected = {
        {"", false}, {"\"1\"", true}, {"*", true}, {"\"x\", \"3\"", true},
        {"", false}, {"\"5\"", true}, {"", true},
    };
    for (std::size_t i = 0; i < e.size(); ++i) {
        EXPECT_EQ(e[i]["named_etag"], expected[i].first) << i;
        EXPECT_EQ(e[i]["conditional"], expected[i].second) << i;
        EXPECT_FALSE(e[i].contains("fault_rule")) << i;
    }
}

TEST_F(Resources, HistoryIsLinearAndRecordsWriterAndOp) {
    create("a");
    put("/resources/a", {{"n", 1}}, {{"X-Writer-Id", "w1"}, {"X-Op-Id", "op-1"}});
    patch("/resources/a", {{"m", 2}}, "application/merge-patch+json", {{"X-Writer-Id", "w2"}});
    del("/resources/a", {{"X-Writer-Id", "w3"}});
    put("/resources/a", {{"n", 3}}, {{"If-None-Match", "*"}});
    put("/resources/a", {{"n", 4}}, {{"If-Match", "\"nope\""}});  // rejected: not recorded
    const json h = history("a");
    const json& e = h["entries"];
    ASSERT_EQ(e.size(), 5u) << h.dump();
    EXPECT_EQ(e[0]["replaced_etag"], "");
    for (std::size_t i = 1; i < e.size(); ++i) {
        EXPECT_EQ(e[i]["replaced_etag"], e[i - 1]["etag"]) << i;
    }
    EXPECT_EQ(e[1]["writer_id"], "w1");
    EXPECT_EQ(e[1]["op_id"], "op-1");
    EXPECT_EQ(e[2]["method"], "PATCH");
    EXPECT_EQ(e[2]["writer_id"], "w2");
    EXPECT_EQ(e[3]["method"], "DELETE");
    EXPECT_EQ(e[3]["etag"], "");
    EXPECT_EQ(h["dropped"], 0);
    EXPECT_EQ(h["id"], "a");
}

TEST_F(Resources, HistoryCapReportsDroppedEntries) {
    CoreOptions o;
    o.history_limit = 2;
    start(o);
    create("a");
    put("/resources/a", {{"n", 1}});
    put("/resources/a", {{"n", 2}});
    const json h = history("a");
    EXPECT_EQ(h["entries"].size(), 2u);
    EXPECT_EQ(h["dropped"], 1);
}

TEST_F(Resources, EtagsNeverRepeatAcrossStyleAndSchemeSwitches) {
    std::set<std::string> seen;
    const char* settings[] = {R"({"scheme":"hash"})", R"({"style":"weak","scheme":"uuid"})",
                              R"({"style":"unquoted","scheme":"counter"})",
                              R"({"style":"strong"})"};
    for (int round = 0; round < 8; ++round) {
        ASSERT_EQ(send("PUT", "/_admin/etag-style", settings[round % 4]).status, 200);
        for (int i = 0; i < 25; ++i) {
            const auto r = put("/resources/r" + std::to_string(i % 3), {{"i", i}});
            ASSERT_LT(r.status, 300);
            EXPECT_TRUE(seen.insert(etag_token(r)).second) << etag_token(r);
        }
        if (round == 3) {
            ASSERT_EQ(send("POST", "/_admin/reset").status, 204);  // reset does not reuse tokens
        }
    }
}

TEST_F(Resources, WeakStyleIsShownOnTheWire) {
    CoreOptions o;
    o.weak_etags = true;
    start(o);
    const auto r = create("a");
    EXPECT_EQ(header(r, "ETag"), "W/\"1\"");
    // Echoing the weak tag in If-Match can never succeed (RFC 9110 13.1.1).
    EXPECT_EQ(put("/resources/a", {{"n", 1}}, {{"If-Match", "W/\"1\""}}).status, 412);
}

}  // namespace
}  // namespace conflictlab::mock::testing
