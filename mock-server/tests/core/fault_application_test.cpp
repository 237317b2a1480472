// Applying a FaultDecision (fault_decision.hpp), field by field, through the
// seam the server uses (fault_application.hpp), with hand-made decisions.

#include "fault_application.hpp"

#include "http_util.hpp"
#include "test_support.hpp"

namespace conflictlab::mock::testing {
namespace {

class FaultApplication : public ::testing::Test {
  protected:
    Handled run(const Request& request, const FaultDecision& decision = {}) {
        const Target target = split_target(request.target);
        std::string_view id;
        if (target.path.size() > 11) {
            id = target.path.substr(11);  // "/resources/"
        }
        return handle_with_faults(ctx_, {request, target.path, target.query, id}, decision);
    }
    Handled put(const std::string& id, const json& body, HeaderFields headers = {},
                const FaultDecision& decision = {}) {
        headers.add("Content-Type", "application/json");
        return run(make_request("PUT", "/resources/" + id, body.dump(), std::move(headers)),
                   decision);
    }
    Handled get(const std::string& id, const FaultDecision& decision = {}) {
        return run(make_request("GET", "/resources/" + id), decision);
    }
    static FaultDecision fired(std::string rule) {
        FaultDecision d;
        d.fired_rules.push_back(std::move(rule));
        return d;
    }

    ManualClock clock_;
    CoreContext ctx_{CoreOptions{}, clock_};
};

TEST_F(FaultApplication, NoDecisionMeansNormalProcessing) {
    EXPECT_EQ(put("a", {{"n", 1}}).response.status, 201);
    const auto r = get("a").response;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.delay.count(), 0);
    EXPECT_EQ(r.fate, ConnectionFate::respond);
}

TEST_F(FaultApplication, StatusAnswersInsteadOfProcessing) {
    FaultDecision d = fired("outage");
    d.status = 503;
    d.retry_after = "7";
    const auto r = put("a", {{"n", 1}}, {}, d).response;
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(header(r, "Retry-After"), "7");
    EXPECT_EQ(header(r, "Content-Type"), "application/problem+json");
    EXPECT_EQ(body_json(r)["detail"], "injected by fault rule outage");
    EXPECT_EQ(get("a").response.status, 404);  // the PUT was not processed
}

TEST_F(FaultApplication, RetryAfterDateIsFormattedFromTheWallClock) {
    clock_.advance(std::chrono::seconds(10));
    FaultDecision d = fired("maintenance");
    d.status = 503;
    d.retry_after_date_in = std::chrono::seconds(120);
    const auto r = get("a", d).response;
    EXPECT_EQ(header(r, "Retry-After"), "Thu, 01 Jan 2026 00:02:10 GMT");
}

TEST_F(FaultApplication, StatusWithBodySendsTheBodyVerbatim) {
    put("a", {{"n", 1}});
    FaultDecision d = fired("custom");
    d.status = 409;
    d.body = json{{"error", "conflict"}, {"reason", "Document update conflict."}};
    const auto r = get("a", d).response;
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(header(r, "Content-Type"), "application/json");
    EXPECT_EQ(body_json(r), *d.body);
}

TEST_F(FaultApplication, InjectedConflictCarriesCurrentEtag) {
    put("a", {{"n", 1}});
    FaultDecision d = fired("fake-412");
    d.status = 412;
    const auto r = put("a", {{"n", 2}}, {}, d).response;
    EXPECT_EQ(r.status, 412);
    EXPECT_EQ(body_json(r)["current_etag"], "\"1\"");
}

TEST_F(FaultApplication, DelayAndFateAreCopied) {
    put("a", {{"n", 1}});
    FaultDecision d = fired("slow-reset");
    d.delay = std::chrono::milliseconds(250);
    d.fate = ConnectionFate::reset;
    const auto r = put("a", {{"n", 2}}, {}, d).response;
    EXPECT_EQ(r.status, 200);  // processed: the write happened, the answer is lost
    EXPECT_EQ(r.delay.count(), 250);
    EXPECT_EQ(r.fate, ConnectionFate::reset);
    EXPECT_EQ(get("a").response.body, R"({"n":2})");

    FaultDecision hang = fired("hang");
    hang.status = 504;
    hang.fate = ConnectionFate::hang;
    hang.delay = std::chrono::milliseconds(5);
    const auto h = get("a", hang).response;
    EXPECT_EQ(h.fate, ConnectionFate::hang);
    EXPECT_EQ(h.delay.count(), 5);
}

TEST_F(FaultApplication, DeleteResourceMakesTheRequestMeetADeletion) {
    const std::string token = etag_token(put("a", {{"n", 1}}).response);
    FaultDecision d = fired("vanish");
    d.delete_resource = true;
    const auto r = put("a", {{"n", 2}}, {{"If-Match", "\"" + token + "\""}}, d).response;
    EXPECT_EQ(r.status, 412);  // If-Match on a deleted resource
    EXPECT_EQ(get("a").response.status, 404);
    const auto h = ctx_.store.history("a");
    ASSERT_EQ(h->entries.size(), 2u);
    EXPECT_EQ(h->entries[1].method, "DELETE");
    EXPECT_EQ(h->entries[1].writer_id, "foreign");
    // No client op made it: empty op id (the checker's "foreign"), the rule named.
    EXPECT_EQ(h->entries[1].op_id, "");
    EXPECT_EQ(h->entries[1].fault_rule, "vanish");
    EXPECT_FALSE(h->entries[1].conditional);
}

TEST_F(FaultApplication, ForeignWriteBumpsTheEtagSoTheClientConflicts) {
    const std::string token = etag_token(put("a", {{"n", 1}, {"owner", "me"}}).response);
    FaultDecision d = fired("intruder");
    d.foreign_write_merge_patch = json{{"owner", "someone-else"}};
    const auto r =
        put("a", {{"n", 2}, {"owner", "me"}}, {{"If-Match", "\"" + token + "\""}}, d).response;
    EXPECT_EQ(r.status, 412);
    EXPECT_EQ(body_json(r)["current_etag"], "\"2\"");
    EXPECT_EQ(body_json(get("a").response), json({{"n", 1}, {"owner", "someone-else"}}));
    const auto h = ctx_.store.history("a");
    ASSERT_EQ(h->entries.size(), 2u);
    EXPECT_EQ(h->entries[1].writer_id, "foreign");
    EXPECT_EQ(h->entries[1].replaced_etag, token);
    EXPECT_EQ(h->entries[1].op_id, "");
    EXPECT_EQ(h->entries[1].fault_rule, "intruder");
}

TEST_F(FaultApplication, ForeignWriteOnMissingResourceDoesNothing) {
    FaultDecision d = fired("intruder");
    d.foreign_write_merge_patch = json{{"x", 1}};
    EXPECT_EQ(get("nope", d).response.status, 404);
    EXPECT_FALSE(ctx_.store.history("nope"));
}

TEST_F(FaultApplication, ForeignWriteWritesTheBodyTokenInBodyVersionDialect) {
    CoreOptions o;
    o.dialect = Dialect::body_version;
    o.version_pointer = "/_rev";
    CoreContext ctx(o, clock_);
    auto call = [&](const Request& request, const FaultDecision& d) {
        const Target t = split_target(request.target);
        return handle_with_faults(ctx, {request, t.path, t.query, "doc"}, d);
    };
    call(
        make_request("PUT", "/resources/doc", R"({"n":1})", {{"Content-Type", "application/json"}}),
        {});
    FaultDecision d = fired("intruder");
    d.foreign_write_merge_patch = json{{"n", 5}};
    const auto r = call(make_request("GET", "/resources/doc"), d).response;
    EXPECT_EQ(body_json(r)["n"], 5);
    EXPECT_EQ(body_json(r)["_rev"], etag_token(r));
}

TEST_F(FaultApplication, SwitchStyleAndSchemeChangeTheNextEtags) {
    put("a", {{"n", 1}});
    FaultDecision d = fired("format-change");
    d.switch_etag_style = EtagStyle::unquoted;
    d.switch_etag_scheme = EtagScheme::uuid;
    const auto r = put("a", {{"n", 2}}, {}, d).response;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(header(r, "ETag").size(), 36u);  // unquoted uuid
    EXPECT_EQ(ctx_.etags.style(), EtagStyle::unquoted);
    EXPECT_EQ(ctx_.etags.scheme(), EtagScheme::uuid);
}

TEST_F(FaultApplication, EffectsApplyBeforeTheInjectedStatus) {
    put("a", {{"n", 1}});
    FaultDecision d = fired("both");
    d.delete_resource = true;
    d.status = 500;
    EXPECT_EQ(get("a", d).response.status, 500);
    EXPECT_EQ(get("a").response.status, 404);
}

// End to end: a rule installed in the injector reaches the response.
TEST(FaultRulesThroughServerCore, RuleDecisionIsApplied) {
    ManualClock clock;
    CoreOptions o;
    o.fault_rules = {{"rules",
                      {{{"name", "slow-then-503"},
                        {"match", {{"methods", {"GET"}}, {"path", "/resources/*"}}},
                        {"then", {{"status", 503}, {"retry_after_s", 2}, {"delay_ms", 40}}}}}}};
    ServerCore core(o, clock);
    const auto r = core.handle(make_request("GET", "/resources/a"));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(header(r, "Retry-After"), "2");
    EXPECT_EQ(r.delay.count(), 40);
    EXPECT_EQ(core.faults().firings_json()["slow-then-503"], 1);
    // Admin and health endpoints are never subject to fault rules.
    EXPECT_EQ(core.handle(make_request("GET", "/healthz")).status, 200);
}

TEST(FaultRulesThroughServerCore, InvalidInitialRulesThrowNamingTheField) {
    ManualClock clock;
    CoreOptions o;
    o.fault_rules = {{"rules", {{{"name", "x"}}}}};
    try {
        ServerCore core(o, clock);
        FAIL() << "accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("fault_rules: rules[0]", 0), 0u) << e.what();
    }
}

TEST(Throttling, RefusedRequestIs429WithRetryAfterInWholeSeconds) {
    ManualClock clock;
    CoreOptions o;
    o.throttle.per_client_rate_per_s = 0.5;  // a token every 2 s
    o.throttle.per_client_burst = 1;
    ServerCore core(o, clock);
    auto from = [](const char* client) {
        return make_request("GET", "/resources/a", {}, {{"X-Client-Id", client}});
    };
    EXPECT_EQ(core.handle(from("c1")).status, 404);
    const auto refused = core.handle(from("c1"));
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(header(refused, "Retry-After"), "2");
    EXPECT_EQ(core.handle(from("c2")).status, 404);  // another client has its own bucket
    clock.advance(std::chrono::seconds(2));
    EXPECT_EQ(core.handle(from("c1")).status, 404);
    // Admin is not throttled.
    EXPECT_EQ(core.handle(make_request("GET", "/_admin/stats", {}, {{"X-Client-Id", "c1"}})).status,
              200);
}

}  // namespace
}  // namespace conflictlab::mock::testing
