// The outcome record's JSON shape is a contract with the transaction log,
// alerts and reports: field names and enum spellings are pinned here.
#include "conflictlab/engine/outcome.hpp"

#include <gtest/gtest.h>

namespace conflictlab::engine {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(OutcomeJson, StableFieldNames) {
    Outcome o;
    o.kind = OutcomeKind::failed;
    o.path = "refetch>merge";
    o.reason = FailureReason::irreconcilable_merge;
    o.detail = "guard field /type changed";
    o.notes = {"missing ETag"};
    o.resource_id = "r1";
    o.method = WriteMethod::patch;
    o.correlation_id = "c";
    o.event_id = "e";
    o.writer_id = "w";
    o.op_id = "o";
    o.attempts = 1;
    o.conflicts = 1;
    o.statuses = {409, 200};
    o.token_before = "\"v1\"";
    o.freshness = FreshnessSignal::last_modified;
    o.started = 1s;
    o.finished = 1s + 30ms;
    o.steps = {StepTiming{"write", 1s, 1s + 10ms, 409, ""},
               StepTiming{"fetch", 1s + 10ms, 1s + 30ms, 0, "timeout"}};
    o.delta = json{{"desired", 1}, {"current", nullptr}, {"patch", nullptr}};
    o.alert = true;
    json expected = {
        {"kind", "failed"},
        {"path", "refetch>merge"},
        {"reason", "irreconcilable-merge"},
        {"detail", "guard field /type changed"},
        {"notes", {"missing ETag"}},
        {"resource_id", "r1"},
        {"method", "PATCH"},
        {"correlation_id", "c"},
        {"event_id", "e"},
        {"writer_id", "w"},
        {"op_id", "o"},
        {"attempts", 1},
        {"conflicts", 1},
        {"statuses", {409, 200}},
        {"token_before", "\"v1\""},
        {"token_after", nullptr},
        {"freshness", "last-modified"},
        {"steps",
         {{{"step", "write"},
           {"started_ns", 0},
           {"duration_ns", 10'000'000},
           {"status", 409},
           {"error", ""}},
          {{"step", "fetch"},
           {"started_ns", 10'000'000},
           {"duration_ns", 20'000'000},
           {"status", 0},
           {"error", "timeout"}}}},
        {"duration_ns", 30'000'000},
        {"final_body", nullptr},
        {"delta", {{"desired", 1}, {"current", nullptr}, {"patch", nullptr}}},
        {"alert", true},
    };
    EXPECT_EQ(to_json(o), expected);
}

TEST(OutcomeNames, EveryReasonRoundTrips) {
    for (int i = 0; i <= static_cast<int>(FailureReason::deadline_exceeded); ++i) {
        auto r = static_cast<FailureReason>(i);
        EXPECT_NE(failure_reason_name(r), "?");
        EXPECT_EQ(parse_failure_reason(failure_reason_name(r)), r);
    }
    EXPECT_EQ(failure_reason_name(FailureReason::non_retryable_4xx), "non-retryable-4xx");
    EXPECT_EQ(failure_reason_name(FailureReason::timeout_indeterminate), "timeout-indeterminate");
    for (auto k : {OutcomeKind::success, OutcomeKind::resolved, OutcomeKind::discarded,
                   OutcomeKind::failed}) {
        EXPECT_EQ(parse_outcome_kind(outcome_kind_name(k)), k);
    }
    for (auto s : {FreshnessSignal::not_checked, FreshnessSignal::business_timestamp,
                   FreshnessSignal::last_modified, FreshnessSignal::none}) {
        EXPECT_EQ(parse_freshness_signal(freshness_signal_name(s)), s);
    }
    EXPECT_FALSE(parse_failure_reason("Deleted"));
}

}  // namespace
}  // namespace conflictlab::engine
