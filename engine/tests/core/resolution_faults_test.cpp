// What real targets do to clients: 428, deletion, throttling with
// Retry-After, 5xx, transport errors and timeouts, other 4xx, deadlines.
#include <gtest/gtest.h>

#include "script.hpp"

namespace conflictlab::engine::testing {
namespace {

const json kPayload = {{"name", "new"}, {"updatedAt", "2026-01-01T10:00:05Z"}};
const json kOlder = {{"name", "old"}, {"updatedAt", "2026-01-01T10:00:00Z"}};

Policy constant_backoff(std::int64_t ms) {
    Policy p = quick_policy();
    p.backoff = BackoffOptions{BackoffKind::constant, ms, 2.0, 60'000, 0.0};
    return p;
}

// RFC 6585 3: 428 "indicates that the origin server requires the request to
// be conditional": learn the token, then retry with it.
TEST(Rfc6585_PreconditionRequired, FetchTokenThenRetryConditionally) {
    StubRandom random;
    Resolution r(put_update(kPayload, std::nullopt), quick_policy(), random);
    EXPECT_EQ(header(request_of(r.start()), "If-Match"), "<absent>");
    const auto fetch = request_of(r.on_response(response(428)));
    EXPECT_EQ(fetch.method, "GET");
    const auto retry = request_of(r.on_response(response(200, kOlder, "\"v9\"")));
    EXPECT_EQ(header(retry, "If-Match"), "\"v9\"");
    const auto o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
    EXPECT_EQ(o.path, "fetch-token>overwrite>retry");
    EXPECT_EQ(o.conflicts, 0);
}

TEST(Rfc6585_PreconditionRequired, AlthoughIfMatchWasSent_FailsInsteadOfLooping) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    const auto o = outcome_of(r.on_response(response(428)));
    EXPECT_EQ(o.reason, FailureReason::precondition_required);
    EXPECT_EQ(o.attempts, 1);
}

TEST(Deleted, OnWrite_FailPolicy_FailedDeletedWithAlert) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    const auto o = outcome_of(r.on_response(response(404)));
    EXPECT_EQ(o.kind, OutcomeKind::failed);
    EXPECT_EQ(o.reason, FailureReason::deleted);
    EXPECT_EQ(o.path, "deleted");
    EXPECT_EQ(o.detail, "resource deleted (HTTP 404 on PUT)");
    EXPECT_EQ(o.token_after, std::nullopt);
    EXPECT_TRUE(o.alert);
}

TEST(Deleted, OnWrite_DropPolicy_Discarded) {
    StubRandom random;
    Policy p = quick_policy();
    p.deleted_policy = DeletedPolicy::drop;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    const auto o = outcome_of(r.on_response(response(410)));
    EXPECT_EQ(o.kind, OutcomeKind::discarded);
    EXPECT_EQ(o.path, "deleted>drop");
    EXPECT_FALSE(o.alert);
}

TEST(Deleted, OnWrite_RecreatePolicy_PutWithIfNoneMatchStar) {
    StubRandom random;
    Policy p = quick_policy();
    p.deleted_policy = DeletedPolicy::recreate;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    const auto recreate = request_of(r.on_response(response(404)));
    EXPECT_EQ(recreate.method, "PUT");
    EXPECT_EQ(header(recreate, "If-None-Match"), "*");
    EXPECT_EQ(header(recreate, "If-Match"), "<absent>");
    EXPECT_EQ(body_of(recreate), kPayload);
    const auto o = outcome_of(r.on_response(response(201, nullptr, "\"n1\"")));
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
    EXPECT_EQ(o.path, "deleted>recreate>retry");
    EXPECT_EQ(o.attempts, 2);
}

TEST(Deleted, RecreateOfPatchUsesBasePlusPatch) {
    StubRandom random;
    Policy p = quick_policy();
    p.deleted_policy = DeletedPolicy::recreate;
    Update u = put_update({{"b", 2}});
    u.method = WriteMethod::patch;
    u.base_body = json{{"a", 1}, {"b", 1}};
    Resolution r(u, p, random);
    r.start();
    const auto recreate = request_of(r.on_response(response(404)));
    EXPECT_EQ(recreate.method, "PUT");
    EXPECT_EQ(body_of(recreate), (json{{"a", 1}, {"b", 2}}));
}

TEST(Deleted, RecreateMeetsSomeoneElsesRecreate_412ThenRefetch) {
    StubRandom random;
    Policy p = quick_policy();
    p.deleted_policy = DeletedPolicy::recreate;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    r.on_response(response(404));
    EXPECT_EQ(request_of(r.on_response(response(412))).method, "GET");
    const auto retry = request_of(r.on_response(response(200, kOlder, "\"x1\"")));
    EXPECT_EQ(header(retry, "If-Match"), "\"x1\"");
    EXPECT_EQ(header(retry, "If-None-Match"), "<absent>");
}

// A caller that read the resource as absent creates it with If-None-Match: *,
// never blind: two writers that both saw the deletion and recreate must not
// overwrite each other (the second meets 412, refetches and merges).
TEST(Deleted, CreateOnly_FirstWriteIsIfNoneMatchStar) {
    StubRandom random;
    Update u = put_update(kPayload, std::nullopt);
    u.create_only = true;
    Resolution r(u, quick_policy(), random);
    const auto create = request_of(r.start());
    EXPECT_EQ(create.method, "PUT");
    EXPECT_EQ(header(create, "If-None-Match"), "*");
    EXPECT_EQ(header(create, "If-Match"), "<absent>");
    const auto o = outcome_of(r.on_response(response(201, nullptr, "\"n1\"")));
    EXPECT_EQ(o.kind, OutcomeKind::success);
    EXPECT_EQ(o.path, "direct");
}

TEST(Deleted, CreateOnly_SomeoneCreatedMeanwhile_412ThenMergeKeepsTheirElement) {
    StubRandom random;
    Policy p = quick_policy();
    p.strategy = Strategy::merge;
    p.set_merge_pointers = {"/items"};
    Update u = put_update(json{{"items", {"mine"}}}, std::nullopt);
    u.create_only = true;
    Resolution r(u, p, random);
    r.start();
    EXPECT_EQ(request_of(r.on_response(response(412))).method, "GET");
    const auto retry =
        request_of(r.on_response(response(200, json{{"items", {"theirs"}}}, "\"t1\"")));
    EXPECT_EQ(header(retry, "If-Match"), "\"t1\"");
    EXPECT_EQ(header(retry, "If-None-Match"), "<absent>");
    EXPECT_EQ(body_of(retry), (json{{"items", {"theirs", "mine"}}}));
    EXPECT_EQ(outcome_of(r.on_response(response(200))).path, "refetch>merge>retry");
}

TEST(Deleted, CreateOnlyWithBaseToken_Rejected) {
    Update u = put_update(kPayload, "\"v1\"");
    u.create_only = true;
    try {
        validate(u);
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("update.create_only"), std::string::npos);
    }
}

TEST(Deleted, BetweenConflictAndFetch_FailPolicy) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_response(response(409));
    const auto o = outcome_of(r.on_response(response(404)));
    EXPECT_EQ(o.reason, FailureReason::deleted);
    EXPECT_EQ(o.path, "refetch>deleted");
    EXPECT_EQ(o.detail, "resource deleted between the conflict and the fetch (HTTP 404 on GET)");
}

TEST(Deleted, BetweenConflictAndFetch_RecreatePolicy) {
    StubRandom random;
    Policy p = quick_policy();
    p.deleted_policy = DeletedPolicy::recreate;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    r.on_response(response(409));
    const auto recreate = request_of(r.on_response(response(410)));
    EXPECT_EQ(header(recreate, "If-None-Match"), "*");
    EXPECT_EQ(outcome_of(r.on_response(response(201))).path, "refetch>deleted>recreate>retry");
}

TEST(Deleted, RecreateWithoutAttemptsLeft_FailsDeleted) {
    StubRandom random;
    Policy p = quick_policy();
    p.deleted_policy = DeletedPolicy::recreate;
    p.max_attempts = 1;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    EXPECT_EQ(outcome_of(r.on_response(response(404))).reason, FailureReason::deleted);
}

// RFC 9110 10.2.3: Retry-After = HTTP-date / delay-seconds.
TEST(Rfc9110_RetryAfter, DelaySeconds_HonouredThenSameRequestResent) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    const auto first = request_of(r.start());
    Response throttled = response(429);
    throttled.headers.add("Retry-After", "2");
    EXPECT_EQ(sleep_of(r.on_response(throttled)), 2000ms);
    const auto again = request_of(r.on_timer());
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(header(again, "If-Match"), "\"v1\"");
    const auto o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.path, "throttled>retry");
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
}

TEST(Rfc9110_RetryAfter, HttpDate_RelativeToTheResponsesDateHeader) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    Response throttled = response(503);
    throttled.headers.add("Date", "Thu, 01 Jan 2026 10:00:00 GMT");
    throttled.headers.add("Retry-After", "Thu, 01 Jan 2026 10:00:03 GMT");
    // The driver's wall clock is ignored when the server sent its Date.
    throttled.received_wall = parse_rfc3339("2026-01-01T09:00:00Z");
    EXPECT_EQ(sleep_of(r.on_response(throttled)), 3000ms);
}

TEST(Rfc9110_RetryAfter, HttpDate_RelativeToTheDriversWallClockWithoutDate) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    Response throttled = response(429);
    throttled.headers.add("Retry-After", "Thu, 01 Jan 2026 10:00:03 GMT");
    throttled.received_wall = parse_rfc3339("2026-01-01T10:00:01.500Z");
    EXPECT_EQ(sleep_of(r.on_response(throttled)), 1500ms);
}

TEST(Rfc9110_RetryAfter, HttpDateInThePast_RetriesImmediately) {
    StubRandom random;
    Resolution r(put_update(kPayload), constant_backoff(700), random);
    r.start();
    Response throttled = response(429);
    throttled.headers.add("Date", "Thu, 01 Jan 2026 10:00:09 GMT");
    throttled.headers.add("Retry-After", "Thu, 01 Jan 2026 10:00:03 GMT");
    EXPECT_EQ(request_of(r.on_response(throttled)).method, "PUT");
}

TEST(Rfc9110_RetryAfter, HttpDateWithoutAnyWallClock_FallsBackToBackoffWithNote) {
    StubRandom random;
    Resolution r(put_update(kPayload), constant_backoff(700), random);
    r.start();
    Response throttled = response(429);
    throttled.headers.add("Retry-After", "Thu, 01 Jan 2026 10:00:03 GMT");
    EXPECT_EQ(sleep_of(r.on_response(throttled)), 700ms);
    r.on_timer();
    const auto o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.notes,
              std::vector<std::string>{
                  "Retry-After HTTP-date ignored: no Date header and no wall clock reading"});
}

TEST(Rfc9110_RetryAfter, AboveTheCap_ClampedToTheCapAndNoted) {
    StubRandom random;
    Policy p = quick_policy();
    p.retry_after_cap_ms = 5'000;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    Response throttled = response(429);
    throttled.headers.add("Retry-After", "120");
    EXPECT_EQ(sleep_of(r.on_response(throttled)), 5000ms);
    r.on_timer();
    const auto o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.notes, std::vector<std::string>{"Retry-After 120000 ms capped to 5000 ms"});
}

TEST(Rfc9110_RetryAfter, Malformed_UsesBackoff) {
    StubRandom random;
    Resolution r(put_update(kPayload), constant_backoff(300), random);
    r.start();
    Response throttled = response(503);
    throttled.headers.add("Retry-After", "soon");
    EXPECT_EQ(sleep_of(r.on_response(throttled)), 300ms);
}

TEST(Transient, ServerError_BackoffThenResendSameToken) {
    StubRandom random;
    Resolution r(put_update(kPayload), constant_backoff(50), random);
    r.start();
    EXPECT_EQ(sleep_of(r.on_response(response(502))), 50ms);
    const auto again = request_of(r.on_timer());
    EXPECT_EQ(again.method, "PUT");
    EXPECT_EQ(header(again, "If-Match"), "\"v1\"");
    const auto o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.path, "transient>retry");
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
}

TEST(Transient, AttemptsExhausted_FailedExhaustedTransient) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_response(response(500));
    r.on_response(response(504));
    const auto o = outcome_of(r.on_response(response(500)));
    EXPECT_EQ(o.reason, FailureReason::exhausted_transient);
    EXPECT_EQ(o.attempts, 3);
    EXPECT_EQ(o.detail, "HTTP 500 on attempt 3 of 3");
    EXPECT_EQ(o.path, "transient>retry>transient>retry");
}

TEST(Transient, ConnectFailure_NothingSent_ResendWithoutVerify) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    const auto again =
        request_of(r.on_transport_error(transport(TransportErrorKind::connect, false)));
    EXPECT_EQ(again.method, "PUT");
    const auto o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.path, "transient>retry");
    EXPECT_EQ(o.steps[0].error, "connect");
}

// A write that timed out may have been applied: GET and check before resending.
TEST(Indeterminate, TimedOutWriteThatWasApplied_NoSecondWrite) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    const auto verify =
        request_of(r.on_transport_error(transport(TransportErrorKind::timeout, true)));
    EXPECT_EQ(verify.method, "GET");
    EXPECT_EQ(verify.purpose, RequestPurpose::verify);
    const auto o = outcome_of(r.on_response(response(200, kPayload, "\"v2\"")));
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
    EXPECT_EQ(o.path, "indeterminate>verify>already-applied");
    EXPECT_EQ(o.attempts, 1);
    EXPECT_EQ(o.token_after, "\"v2\"");
}

TEST(Indeterminate, ResetAfterSendingNotApplied_RewritesWithVerifiedToken) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_transport_error(transport(TransportErrorKind::reset, true));
    const auto retry = request_of(r.on_response(response(200, kOlder, "\"v1\"")));
    EXPECT_EQ(retry.method, "PUT");
    EXPECT_EQ(header(retry, "If-Match"), "\"v1\"");
    EXPECT_EQ(outcome_of(r.on_response(response(200))).path,
              "indeterminate>verify>overwrite>retry");
}

TEST(Indeterminate, LastAttemptTimedOutAndNotApplied_TimeoutIndeterminate) {
    StubRandom random;
    Policy p = quick_policy();
    p.max_attempts = 1;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    r.on_transport_error(transport(TransportErrorKind::timeout, true));
    const auto o = outcome_of(r.on_response(response(200, kOlder, "\"v1\"")));
    EXPECT_EQ(o.reason, FailureReason::timeout_indeterminate);
    EXPECT_TRUE(o.alert);
}

TEST(Indeterminate, VerifyKeepsFailing_TimeoutIndeterminate) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_transport_error(transport(TransportErrorKind::timeout, true));
    r.on_transport_error(transport(TransportErrorKind::timeout, true));
    r.on_response(response(503));
    const auto o = outcome_of(r.on_transport_error(transport(TransportErrorKind::timeout, true)));
    EXPECT_EQ(o.reason, FailureReason::timeout_indeterminate);
    EXPECT_EQ(o.attempts, 1);
    EXPECT_EQ(o.path, "indeterminate>verify>transient>verify>throttled>verify");
}

TEST(Transient, FetchFailuresAreBoundedToo) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_response(response(409));
    r.on_response(response(500));
    r.on_transport_error(transport(TransportErrorKind::connect, false));
    const auto o = outcome_of(r.on_response(response(502)));
    EXPECT_EQ(o.reason, FailureReason::exhausted_transient);
    EXPECT_EQ(o.detail, "GET failed 3 times in a row, last HTTP 502");
}

TEST(NonRetryable, Other4xx_FailedWithoutRetry) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    const auto o = outcome_of(r.on_response(response(422, {{"title", "bad field"}})));
    EXPECT_EQ(o.reason, FailureReason::non_retryable_4xx);
    EXPECT_EQ(o.attempts, 1);
    EXPECT_EQ(o.detail, "HTTP 422 on PUT: {\"title\":\"bad field\"}");
    EXPECT_TRUE(o.alert);
}

TEST(NonRetryable, UnexpectedStatus) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    EXPECT_EQ(outcome_of(r.on_response(response(501))).reason, FailureReason::unexpected_status);
}

TEST(NonRetryable, ConflictStatusesComeFromTheProfile) {
    StubRandom random;
    Policy p = quick_policy();
    p.target.conflict_statuses = {409};
    Resolution r(put_update(kPayload), p, random);
    r.start();
    EXPECT_EQ(outcome_of(r.on_response(response(412))).reason, FailureReason::non_retryable_4xx);
}

TEST(Deadline, NextDelayWouldPassTheDeadline_FailsNow) {
    StubRandom random;
    Policy p = constant_backoff(2'000);
    p.deadline_ms = 1'000;
    Resolution r(put_update(kPayload), p, random);
    r.start(0ms);
    const auto o = outcome_of(r.on_response(response(500), 10ms));
    EXPECT_EQ(o.reason, FailureReason::deadline_exceeded);
    EXPECT_EQ(o.detail, "the next retry in 2000 ms would pass the deadline of 1000 ms");
}

TEST(Deadline, EventAfterTheDeadline_Fails) {
    StubRandom random;
    Policy p = quick_policy();
    p.deadline_ms = 1'000;
    Resolution r(put_update(kPayload), p, random);
    r.start(0ms);
    r.on_response(response(409), 100ms);
    const auto o = outcome_of(r.on_response(response(200, kOlder, "\"v2\""), 1'000ms));
    EXPECT_EQ(o.reason, FailureReason::deadline_exceeded);
}

TEST(Deadline, WriteAcceptedAfterTheDeadlineStillCounts) {
    StubRandom random;
    Policy p = quick_policy();
    p.deadline_ms = 1'000;
    Resolution r(put_update(kPayload), p, random);
    r.start(0ms);
    EXPECT_EQ(outcome_of(r.on_response(response(200), 5'000ms)).kind, OutcomeKind::success);
}

TEST(Deadline, PerAttemptTimeoutShortenedToWhatIsLeft) {
    StubRandom random;
    Policy p = quick_policy();
    p.deadline_ms = 3'000;
    p.attempt_timeout_ms = 10'000;
    Resolution r(put_update(kPayload), p, random);
    EXPECT_EQ(request_of(r.start(0ms)).timeout, 3000ms);
    EXPECT_EQ(request_of(r.on_response(response(409), 2'500ms)).timeout, 500ms);
}

TEST(Deadline, TimedOutWriteAtTheDeadline_TimeoutIndeterminate) {
    StubRandom random;
    Policy p = quick_policy();
    p.deadline_ms = 1'000;
    Resolution r(put_update(kPayload), p, random);
    r.start(0ms);
    const auto o =
        outcome_of(r.on_transport_error(transport(TransportErrorKind::timeout, true), 1'000ms));
    EXPECT_EQ(o.reason, FailureReason::timeout_indeterminate);
}

TEST(Conflict, PersistentConflictExhaustsAttempts) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    for (int i = 0; i < 2; ++i) {
        r.on_response(response(409));
        r.on_response(response(200, kOlder, "\"v" + std::to_string(i + 2) + "\""));
    }
    const auto o = outcome_of(r.on_response(response(409)));
    EXPECT_EQ(o.kind, OutcomeKind::failed);
    EXPECT_EQ(o.reason, FailureReason::persistent_conflict);
    EXPECT_EQ(o.attempts, 3);
    EXPECT_EQ(o.conflicts, 3);
    EXPECT_EQ(o.detail, "HTTP 409 on attempt 3 of 3");
    EXPECT_EQ(o.path, "refetch>overwrite>retry>refetch>overwrite>retry");
    EXPECT_EQ((*o.delta)["current"], kOlder);
}

TEST(Conflict, PreconditionFailedDuringTheRetry_RefetchesAgain) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_response(response(409));
    r.on_response(response(200, kOlder, "\"v2\""));
    EXPECT_EQ(request_of(r.on_response(response(412))).method, "GET");
    const auto retry = request_of(r.on_response(response(200, kOlder, "\"v3\"")));
    EXPECT_EQ(header(retry, "If-Match"), "\"v3\"");
    const auto o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.path, "refetch>overwrite>retry>refetch>overwrite>retry");
    EXPECT_EQ(o.conflicts, 2);
    EXPECT_EQ(o.statuses, (std::vector<int>{409, 200, 412, 200, 200}));
}

TEST(Conflict, BackoffSleepBeforeTheRefetch) {
    StubRandom random({0.25});
    Policy p = quick_policy();
    p.backoff = BackoffOptions{BackoffKind::full_jitter, 100, 2.0, 1'000, 0.0};
    Resolution r(put_update(kPayload), p, random);
    r.start();
    EXPECT_EQ(sleep_of(r.on_response(response(409))), 25ms);
    r.on_timer();
    r.on_response(response(200, kOlder, "\"v2\""));
    EXPECT_EQ(sleep_of(r.on_response(response(409))), 50ms);  // 0.25 * 200
}

}  // namespace
}  // namespace conflictlab::engine::testing
