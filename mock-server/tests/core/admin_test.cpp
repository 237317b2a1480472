// The admin API: reset, fault rules, stats, history, the alerts sink, the
// ETag style switch and the config view.

#include "test_support.hpp"

namespace conflictlab::mock::testing {
namespace {

const json kRules = {{"rules",
                      {{{"name", "flaky-put"},
                        {"match", {{"methods", {"PUT"}}}},
                        {"when", {{"nth", 2}}},
                        {"then", {{"status", 503}}}}}}};

class Admin : public CoreTest {};

TEST_F(Admin, PutFaultsInstallsRulesAndGetShowsThem) {
    const auto r = send("PUT", "/_admin/faults", kRules.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    const json shown = body_json(get("/_admin/faults"));
    ASSERT_EQ(shown["rules"].size(), 1u);
    EXPECT_EQ(shown["rules"][0]["name"], "flaky-put");
    create("a");
    EXPECT_EQ(put("/resources/a", {{"n", 1}}).status, 503);  // the 2nd PUT
    EXPECT_EQ(put("/resources/a", {{"n", 1}}).status, 200);
}

TEST_F(Admin, InvalidRuleFileIs400AndKeepsTheRulesInForce) {
    ASSERT_EQ(send("PUT", "/_admin/faults", kRules.dump()).status, 200);
    const json bad = {
        {"rules",
         {{{"name", "x"}, {"when", {{"probability", 1.5}}}, {"then", {{"status", 503}}}}}}};
    const auto r = send("PUT", "/_admin/faults", bad.dump());
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(body_json(r)["detail"],
              "rules[0].when.probability: must be a number in [0, 1], got 1.5");
    EXPECT_EQ(body_json(get("/_admin/faults"))["rules"][0]["name"], "flaky-put");
    EXPECT_EQ(send("PUT", "/_admin/faults", "{not json").status, 400);
}

TEST_F(Admin, DeleteFaultsClearsThem) {
    ASSERT_EQ(send("PUT", "/_admin/faults", kRules.dump()).status, 200);
    EXPECT_EQ(send("DELETE", "/_admin/faults").status, 204);
    EXPECT_TRUE(body_json(get("/_admin/faults"))["rules"].empty());
    create("a");
    EXPECT_EQ(put("/resources/a", {{"n", 1}}).status, 200);
}

TEST_F(Admin, ResetClearsStoreHistoryStatsAndFiringsButKeepsRules) {
    ASSERT_EQ(send("PUT", "/_admin/faults", kRules.dump()).status, 200);
    create("a");
    put("/resources/a", {{"n", 1}});  // fires
    put("/resources/a", {{"n", 2}}, {{"If-Match", "\"stale\""}});
    send("POST", "/_admin/alerts", R"({"x":1})");
    EXPECT_EQ(body_json(get("/_admin/stats"))["fault_firings"]["flaky-put"], 1);

    EXPECT_EQ(send("POST", "/_admin/reset").status, 204);
    EXPECT_EQ(get("/resources/a").status, 404);
    EXPECT_EQ(get("/_admin/history/a").status, 404);
    const json stats = body_json(get("/_admin/stats"));
    EXPECT_EQ(stats["fault_firings"]["flaky-put"], 0);
    EXPECT_EQ(stats["conflicts"]["total"], 0);
    EXPECT_EQ(stats["resources"], 0);
    // The reset itself (counted after it ran) and the two 404 reads above.
    EXPECT_EQ(stats["requests"]["total"], 3);
    EXPECT_EQ(body_json(get("/_admin/alerts"))["count"], 0);
    // Rules kept, counters restarted: the 2nd PUT after the reset fires again.
    create("a");
    EXPECT_EQ(put("/resources/a", {{"n", 1}}).status, 503);
}

TEST_F(Admin, StatsCountRequestsConflictsAndTopResources) {
    create("a");
    create("b");
    for (int i = 0; i < 3; ++i) {
        put("/resources/a", {{"n", i}}, {{"If-Match", "\"stale\""}});
    }
    put("/resources/b", {{"n", 1}}, {{"If-Match", "\"stale\""}});
    get("/resources/zzz");
    const json stats = body_json(get("/_admin/stats?top=1"));
    EXPECT_EQ(stats["requests"]["by_method"]["PUT"], 6);
    EXPECT_EQ(stats["requests"]["by_status"]["201"], 2);
    EXPECT_EQ(stats["requests"]["by_status"]["412"], 4);
    EXPECT_EQ(stats["requests"]["by_status"]["404"], 1);
    EXPECT_EQ(stats["conflicts"]["total"], 4);
    EXPECT_EQ(stats["conflicts"]["by_kind"]["412"], 4);
    ASSERT_EQ(stats["conflicts"]["top_resources"].size(), 1u);
    EXPECT_EQ(stats["conflicts"]["top_resources"][0], json({{"id", "a"}, {"conflicts", 3}}));
    EXPECT_EQ(stats["resources"], 2);
    EXPECT_EQ(get("/_admin/stats?top=0").status, 400);
}

TEST_F(Admin, HistoryOfUnknownResourceIs404) {
    EXPECT_EQ(get("/_admin/history/nope").status, 404);
}

TEST_F(Admin, AlertsSinkStoresListsAndClears) {
    const json card = {{"type", "message"}, {"attachments", json::array()}};
    EXPECT_EQ(send("POST", "/_admin/alerts", card.dump()).status, 202);
    clock_.advance(std::chrono::seconds(1));
    EXPECT_EQ(send("POST", "/_admin/alerts", "[1,2]").status, 202);
    const json list = body_json(get("/_admin/alerts"));
    ASSERT_EQ(list["count"], 2);
    EXPECT_EQ(list["alerts"][0]["body"], card);
    EXPECT_EQ(list["alerts"][0]["received_at"], "2026-01-01T00:00:00.000Z");
    EXPECT_EQ(list["alerts"][1]["received_at"], "2026-01-01T00:00:01.000Z");
    EXPECT_EQ(send("POST", "/_admin/alerts", "nope").status, 400);
    EXPECT_EQ(send("DELETE", "/_admin/alerts").status, 204);
    EXPECT_EQ(body_json(get("/_admin/alerts"))["count"], 0);
}

TEST_F(Admin, AlertsSinkIsBounded) {
    CoreOptions o;
    o.alerts_limit = 2;
    start(o);
    for (int i = 0; i < 5; ++i) {
        send("POST", "/_admin/alerts", json({{"i", i}}).dump());
    }
    const json list = body_json(get("/_admin/alerts"));
    EXPECT_EQ(list["count"], 2);
    EXPECT_EQ(list["dropped"], 3);
    EXPECT_EQ(list["alerts"][0]["body"]["i"], 3);
}

TEST_F(Admin, EtagStyleSwitchAppliesToResponses) {
    create("a");
    auto r = send("PUT", "/_admin/etag-style", R"({"style":"weak"})");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(body_json(r), json({{"style", "weak"}, {"scheme", "counter"}}));
    EXPECT_EQ(header(get("/resources/a"), "ETag"), "W/\"1\"");
    r = send("PUT", "/_admin/etag-style", R"({"scheme":"hash"})");
    EXPECT_EQ(body_json(r), json({{"style", "weak"}, {"scheme", "hash"}}));
    EXPECT_EQ(etag_token(put("/resources/a", {{"n", 1}})).size(), 32u);
}

TEST_F(Admin, EtagStyleRejectsBadValuesWithoutChangingAnything) {
    auto r = send("PUT", "/_admin/etag-style", R"({"style":"weak","scheme":"md5"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(body_json(r)["detail"], "scheme: must be one of counter, hash, uuid; got \"md5\"");
    EXPECT_EQ(body_json(get("/_admin/etag-style")),
              json({{"style", "strong"}, {"scheme", "counter"}}));
    EXPECT_EQ(send("PUT", "/_admin/etag-style", R"({"colour":"red"})").status, 400);
    EXPECT_EQ(send("PUT", "/_admin/etag-style", "{}").status, 400);
}

TEST_F(Admin, ConfigShowsOptions) {
    CoreOptions o;
    o.conflict_status = 409;
    start(o);
    EXPECT_EQ(body_json(get("/_admin/config"))["conflict_status"], 409);
}

TEST_F(Admin, WrongMethodIs405) {
    EXPECT_EQ(get("/_admin/reset").status, 405);
    EXPECT_EQ(header(send("POST", "/_admin/faults"), "Allow"), "GET, PUT, DELETE");
}

}  // namespace
}  // namespace conflictlab::mock::testing
