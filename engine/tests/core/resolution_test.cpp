// The reference flow (DESIGN.md "The flow the engine implements"): the seed's
// four scenarios, freshness, idempotence, the stale-token regression, API
// misuse and per-step timings.
#include <gtest/gtest.h>

#include "script.hpp"

namespace conflictlab::engine::testing {
namespace {

const json kPayload = {{"name", "new"}, {"updatedAt", "2026-01-01T10:00:05Z"}};

// Seed scenario 1: no conflict.
TEST(SeedScenario, NoConflict_FirstWriteSucceeds_Direct) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    const auto& write = request_of(r.start(0ns));
    EXPECT_EQ(write.method, "PUT");
    EXPECT_EQ(write.path, "/resources/doc-1");
    EXPECT_EQ(write.purpose, RequestPurpose::write);
    EXPECT_EQ(header(write, "If-Match"), "\"v1\"");
    EXPECT_EQ(header(write, "X-Writer-Id"), "writer-7");
    EXPECT_EQ(header(write, "X-Op-Id"), "op-42");
    EXPECT_EQ(header(write, "X-Correlation-Id"), "corr-1");
    EXPECT_EQ(header(write, "Content-Type"), "application/json");
    EXPECT_EQ(write.timeout, 10'000ms);
    EXPECT_EQ(body_of(write), kPayload);

    const auto& o = outcome_of(r.on_response(response(200, nullptr, "\"v2\""), 5ms));
    EXPECT_EQ(o.kind, OutcomeKind::success);
    EXPECT_EQ(o.path, "direct");
    EXPECT_EQ(o.attempts, 1);
    EXPECT_EQ(o.statuses, std::vector<int>{200});
    EXPECT_EQ(o.token_before, "\"v1\"");
    EXPECT_EQ(o.token_after, "\"v2\"");
    EXPECT_EQ(o.freshness, FreshnessSignal::not_checked);
    EXPECT_FALSE(o.alert);
    EXPECT_EQ(o.final_body, kPayload);
    EXPECT_TRUE(r.done());
}

// Seed scenario 2: 409, the update is newer, last writer wins.
TEST(SeedScenario, Conflict_ResolvedByLastWriterWins) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start(0ns);
    const auto& fetch = request_of(r.on_response(response(409), 1ms));
    EXPECT_EQ(fetch.method, "GET");
    EXPECT_EQ(fetch.purpose, RequestPurpose::fetch);
    EXPECT_TRUE(fetch.body.empty());
    EXPECT_EQ(header(fetch, "X-Op-Id"), "op-42");

    json current = {{"name", "other"}, {"updatedAt", "2026-01-01T10:00:01Z"}};
    const auto& retry = request_of(r.on_response(response(200, current, "\"v2\""), 2ms));
    EXPECT_EQ(retry.method, "PUT");
    EXPECT_EQ(header(retry, "If-Match"), "\"v2\"");
    EXPECT_EQ(body_of(retry), kPayload);

    const auto& o = outcome_of(r.on_response(response(204, nullptr, "\"v3\""), 3ms));
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
    EXPECT_EQ(o.path, "refetch>overwrite>retry");
    EXPECT_EQ(o.attempts, 2);
    EXPECT_EQ(o.conflicts, 1);
    EXPECT_EQ(o.statuses, (std::vector<int>{409, 200, 204}));
    EXPECT_EQ(o.freshness, FreshnessSignal::business_timestamp);
    EXPECT_EQ(o.token_after, "\"v3\"");
}

// Seed scenario 3: 409, both sides changed different fields: merged.
TEST(SeedScenario, Conflict_ResolvedByMerge) {
    StubRandom random;
    Policy p = quick_policy();
    p.strategy = Strategy::merge;
    Update u = put_update({{"a", 10}, {"b", 2}, {"updatedAt", "2026-01-01T10:00:05Z"}});
    u.base_body = json{{"a", 1}, {"b", 2}, {"updatedAt", "2026-01-01T10:00:00Z"}};
    Resolution r(u, p, random);
    r.start(0ns);
    r.on_response(response(409), 1ms);
    json theirs = {{"a", 1}, {"b", 20}, {"updatedAt", "2026-01-01T10:00:03Z"}};
    const auto& retry = request_of(r.on_response(response(200, theirs, "\"v2\""), 2ms));
    EXPECT_EQ(header(retry, "If-Match"), "\"v2\"");
    EXPECT_EQ(body_of(retry), (json{{"a", 10}, {"b", 20}, {"updatedAt", "2026-01-01T10:00:05Z"}}));
    const auto& o = outcome_of(r.on_response(response(200, nullptr, "\"v3\""), 3ms));
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
    EXPECT_EQ(o.path, "refetch>merge>retry");
}

// Seed scenario 4: the resolution fails; the alert flag is set.
TEST(SeedScenario, ResolutionFails_AlertFlagSetWithDelta) {
    StubRandom random;
    Policy p = quick_policy();
    p.strategy = Strategy::merge;
    p.guard_pointers = {"/type"};
    Update u = put_update({{"type", "invoice"}, {"amount", 5}});
    u.base_body = json{{"type", "invoice"}, {"amount", 1}};
    Resolution r(u, p, random);
    r.start(0ns);
    r.on_response(response(409), 1ms);
    json theirs = {{"type", "credit-note"}, {"amount", 1}};
    const auto& o = outcome_of(r.on_response(response(200, theirs, "\"v2\""), 2ms));
    EXPECT_EQ(o.kind, OutcomeKind::failed);
    EXPECT_EQ(o.reason, FailureReason::irreconcilable_merge);
    EXPECT_EQ(o.detail, "guard field /type changed (base \"invoice\", current \"credit-note\")");
    EXPECT_TRUE(o.alert);
    EXPECT_EQ(o.path, "refetch>merge");
    ASSERT_TRUE(o.delta.has_value());
    EXPECT_EQ((*o.delta)["current"], theirs);
    EXPECT_EQ((*o.delta)["desired"], u.payload);
    EXPECT_EQ((*o.delta)["patch"], json::diff(theirs, u.payload));
}

// DESIGN.md: "retrying the same payload with the same stale token loops
// forever. A retry always carries a token obtained after the failure."
TEST(StaleTokenRegression, EveryRetryCarriesTheTokenFetchedAfterTheConflict) {
    StubRandom random;
    Policy p = quick_policy();
    p.max_attempts = 4;
    Resolution r(put_update(kPayload), p, random);
    std::vector<std::string> if_match{header(request_of(r.start(0ns)), "If-Match")};
    // Every conflict must be followed by a GET, and the next write must carry
    // the ETag of that GET, never one seen before.
    for (int round = 2; round <= 4; ++round) {
        const auto& fetch = request_of(r.on_response(response(round % 2 ? 412 : 409)));
        ASSERT_EQ(fetch.method, "GET") << "a conflict must be followed by a refetch";
        std::string fresh = "\"v" + std::to_string(round) + "\"";
        const auto& write = request_of(
            r.on_response(response(200, {{"updatedAt", "2026-01-01T09:00:00Z"}}, fresh)));
        ASSERT_EQ(write.method, "PUT");
        EXPECT_EQ(header(write, "If-Match"), fresh);
        for (const auto& old : if_match)
            EXPECT_NE(header(write, "If-Match"), old);
        if_match.push_back(header(write, "If-Match"));
    }
    const auto& o = outcome_of(r.on_response(response(409)));
    EXPECT_EQ(o.reason, FailureReason::persistent_conflict);
    EXPECT_EQ(o.attempts, 4);
}

// Even when the server hands back the very token that just failed, the engine
// does not loop: attempts are bounded and every write follows a fresh GET.
TEST(StaleTokenRegression, ServerRepeatingTheSameTokenEndsInPersistentConflict) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    int writes = 1;
    Action a = r.on_response(response(409));
    while (!std::holds_alternative<Done>(a)) {
        const auto& req = request_of(a);
        if (req.method == "GET") {
            a = r.on_response(response(200, {{"updatedAt", "2026-01-01T09:00:00Z"}}, "\"v1\""));
        } else {
            ++writes;
            a = r.on_response(response(409));
        }
        ASSERT_LE(writes, 3);
    }
    EXPECT_EQ(outcome_of(a).reason, FailureReason::persistent_conflict);
    EXPECT_EQ(outcome_of(a).path, "refetch>overwrite>retry>refetch>overwrite>retry");
    EXPECT_EQ(outcome_of(a).conflicts, 3);
}

TEST(Freshness, IncomingOlderThanBusinessTimestamp_Discarded) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_response(response(409));
    json current = {{"name", "newer"}, {"updatedAt", "2026-01-01T10:00:09Z"}};
    const auto& o = outcome_of(r.on_response(response(200, current, "\"v2\"")));
    EXPECT_EQ(o.kind, OutcomeKind::discarded);
    EXPECT_EQ(o.path, "refetch>discard");
    EXPECT_EQ(o.token_after, "\"v2\"");  // the state it met
    EXPECT_EQ(o.freshness, FreshnessSignal::business_timestamp);
    EXPECT_EQ(o.attempts, 1);
    EXPECT_FALSE(o.alert);
    EXPECT_EQ(o.detail,
              "update (2026-01-01T10:00:05.000Z) is older than the current state "
              "(2026-01-01T10:00:09.000Z, business-timestamp)");
}

TEST(Freshness, DiscardIfStaleOff_StaleUpdateStillOverwrites) {
    StubRandom random;
    Policy p = quick_policy();
    p.discard_if_stale = false;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    r.on_response(response(409));
    json current = {{"name", "newer"}, {"updatedAt", "2026-01-01T10:00:09Z"}};
    const auto& retry = request_of(r.on_response(response(200, current, "\"v2\"")));
    EXPECT_EQ(body_of(retry), kPayload);
}

TEST(Freshness, LastModifiedUsedWhenBodyHasNoTimestamp) {
    StubRandom random;
    Update u = put_update({{"name", "new"}});
    u.business_timestamp = parse_rfc3339("2026-01-01T10:00:05.900Z");
    Resolution r(u, quick_policy(), random);
    r.start();
    r.on_response(response(409));
    Response current = response(200, {{"name", "other"}}, "\"v2\"");
    current.headers.add("Last-Modified", "Thu, 01 Jan 2026 10:00:06 GMT");
    const auto& o = outcome_of(r.on_response(current));
    EXPECT_EQ(o.kind, OutcomeKind::discarded);
    EXPECT_EQ(o.freshness, FreshnessSignal::last_modified);
}

TEST(Freshness, LastModifiedSameSecond_NotStale) {
    StubRandom random;
    Update u = put_update({{"name", "new"}});
    u.business_timestamp = parse_rfc3339("2026-01-01T10:00:06.100Z");
    Resolution r(u, quick_policy(), random);
    r.start();
    r.on_response(response(409));
    Response current = response(200, {{"name", "other"}}, "\"v2\"");
    current.headers.add("Last-Modified", "Thu, 01 Jan 2026 10:00:06 GMT");
    EXPECT_EQ(request_of(r.on_response(current)).method, "PUT");
}

TEST(Freshness, NoSignal_RecordedAsNoneAndProceeds) {
    StubRandom random;
    Policy p = quick_policy();
    p.timestamp_pointer.clear();
    Resolution r(put_update({{"name", "new"}}), p, random);
    r.start();
    r.on_response(response(409));
    r.on_response(response(200, {{"name", "other"}}, "\"v2\""));
    const auto& o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
    EXPECT_EQ(o.freshness, FreshnessSignal::none);
}

TEST(Freshness, EpochMillisecondTimestamps) {
    StubRandom random;
    Policy p = quick_policy();
    p.timestamp_pointer = "/meta/ts";
    Resolution r(put_update({{"meta", {{"ts", 1000}}}}), p, random);
    r.start();
    r.on_response(response(409));
    const auto& o = outcome_of(r.on_response(response(200, {{"meta", {{"ts", 1001}}}}, "\"v2\"")));
    EXPECT_EQ(o.kind, OutcomeKind::discarded);
}

TEST(Idempotence, CurrentAlreadyEqualsDesired_ResolvedWithoutSecondWrite) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_response(response(409));
    const auto& o = outcome_of(r.on_response(response(200, kPayload, "\"v2\"")));
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
    EXPECT_EQ(o.path, "refetch>already-applied");
    EXPECT_EQ(o.attempts, 1);
    EXPECT_EQ(o.token_after, "\"v2\"");
}

TEST(Idempotence, DetectionOff_WritesAgain) {
    StubRandom random;
    Policy p = quick_policy();
    p.detect_already_applied = false;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    r.on_response(response(409));
    EXPECT_EQ(request_of(r.on_response(response(200, kPayload, "\"v2\""))).method, "PUT");
}

TEST(Idempotence, PatchAlreadyContained) {
    StubRandom random;
    Update u = put_update({{"status", "paid"}});
    u.method = WriteMethod::patch;
    Resolution r(u, quick_policy(), random);
    EXPECT_EQ(header(request_of(r.start()), "Content-Type"), "application/merge-patch+json");
    r.on_response(response(412));
    const auto& o =
        outcome_of(r.on_response(response(200, {{"status", "paid"}, {"other", 1}}, "\"v2\"")));
    EXPECT_EQ(o.path, "refetch>already-applied");
}

TEST(ApiMisuse, EventsOutOfOrderAreLogicErrors) {
    StubRandom random;
    Policy p = quick_policy();
    p.backoff = BackoffOptions{BackoffKind::constant, 100, 2.0, 1000, 0.0};
    Resolution r(put_update(kPayload), p, random);
    EXPECT_THROW(r.on_response(response(200)), std::logic_error);
    EXPECT_THROW(r.on_timer(), std::logic_error);
    EXPECT_THROW(r.outcome(), std::logic_error);
    EXPECT_EQ(r.awaiting(), Awaiting::start);
    r.start();
    EXPECT_THROW(r.start(), std::logic_error);
    EXPECT_THROW(r.on_timer(), std::logic_error);
    EXPECT_EQ(sleep_of(r.on_response(response(409))), 100ms);
    EXPECT_EQ(r.awaiting(), Awaiting::timer);
    // Misuse leaves the machine unchanged: it still waits for the timer.
    EXPECT_THROW(r.on_response(response(200)), std::logic_error);
    EXPECT_THROW(r.on_transport_error(transport(TransportErrorKind::reset, true)),
                 std::logic_error);
    EXPECT_THROW(r.pending_request(), std::logic_error);
    EXPECT_EQ(request_of(r.on_timer()).method, "GET");
    EXPECT_EQ(r.pending_request().method, "GET");
    r.on_response(response(200, {{"updatedAt", "2026-01-01T09:00:00Z"}}, "\"v2\""));
    r.on_response(response(200));
    EXPECT_TRUE(r.done());
    EXPECT_THROW(r.on_response(response(200)), std::logic_error);
    EXPECT_EQ(r.outcome().kind, OutcomeKind::resolved);
}

TEST(ApiMisuse, InvalidUpdateRejectedAtConstruction) {
    StubRandom random;
    Update u = put_update(kPayload);
    u.resource_id.clear();
    EXPECT_THROW(Resolution(u, quick_policy(), random), std::invalid_argument);
    Update patch = put_update(json::array({1}));
    patch.method = WriteMethod::patch;
    try {
        Resolution bad(patch, quick_policy(), random);
        FAIL() << "expected invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(),
                     "update.payload: a PATCH payload must be a JSON object (RFC 7396 merge "
                     "patch)");
    }
}

TEST(Timings, StepsUseTheDriversTimestamps) {
    StubRandom random;
    Policy p = quick_policy();
    p.backoff = BackoffOptions{BackoffKind::constant, 100, 2.0, 1000, 0.0};
    Resolution r(put_update(kPayload), p, random);
    r.start(1'000ms);
    r.on_response(response(409), 1'010ms);  // write 10 ms
    r.on_timer(1'110ms);                    // sleep 100 ms
    r.on_response(response(200, {{"updatedAt", "2026-01-01T09:00:00Z"}}, "\"v2\""),
                  1'115ms);                                             // fetch 5 ms
    const auto& o = outcome_of(r.on_response(response(200), 1'135ms));  // write 20 ms
    ASSERT_EQ(o.steps.size(), 4u);
    EXPECT_EQ(o.steps[0].step, "write");
    EXPECT_EQ(o.steps[0].status, 409);
    EXPECT_EQ(o.steps[0].finished - o.steps[0].started, 10ms);
    EXPECT_EQ(o.steps[1].step, "sleep");
    EXPECT_EQ(o.steps[1].finished - o.steps[1].started, 100ms);
    EXPECT_EQ(o.steps[2].step, "fetch");
    EXPECT_EQ(o.steps[2].finished - o.steps[2].started, 5ms);
    EXPECT_EQ(o.steps[3].finished - o.steps[3].started, 20ms);
    EXPECT_EQ(o.finished - o.started, 135ms);
    auto j = to_json(o);
    EXPECT_EQ(j["duration_ns"], 135'000'000);
    EXPECT_EQ(j["steps"][2]["started_ns"], 110'000'000);
}

TEST(Timings, TimestampGoingBackwardsIsClampedNotNegative) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start(50ms);
    const auto& o = outcome_of(r.on_response(response(200), 40ms));
    EXPECT_EQ(o.steps[0].finished - o.steps[0].started, 0ns);
}

TEST(RequestShape, ResourceIdIsPercentEncodedIntoTheProfilePath) {
    StubRandom random;
    Policy p = quick_policy();
    p.target.resource_path = "/api/v2/items/{id}/state";
    Update u = put_update(kPayload);
    u.resource_id = "a/b c";
    Resolution r(u, p, random);
    EXPECT_EQ(request_of(r.start()).path, "/api/v2/items/a%2Fb%20c/state");
}

TEST(RequestShape, NoBaseTokenMeansNoPrecondition) {
    StubRandom random;
    Resolution r(put_update(kPayload, std::nullopt), quick_policy(), random);
    const auto& w = request_of(r.start());
    EXPECT_EQ(header(w, "If-Match"), "<absent>");
    EXPECT_EQ(outcome_of(r.on_response(response(201))).token_before, std::nullopt);
}

}  // namespace
}  // namespace conflictlab::engine::testing
