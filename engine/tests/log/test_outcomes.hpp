#pragma once
// Outcome values for the log tests.

#include <string>

#include "conflictlab/engine/outcome.hpp"

namespace conflictlab::engine::testing {

inline Outcome resolved_outcome(const std::string& resource, const std::string& op) {
    Outcome o;
    o.kind = OutcomeKind::resolved;
    o.path = "refetch>merge>retry";
    o.resource_id = resource;
    o.correlation_id = "corr-" + op;
    o.event_id = "ev-" + op;
    o.writer_id = "w1";
    o.op_id = op;
    o.attempts = 2;
    o.conflicts = 1;
    o.statuses = {412, 200, 200};
    o.token_before = "\"v1\"";
    o.token_after = "\"v3\"";
    o.freshness = FreshnessSignal::business_timestamp;
    o.started = Timestamp{1'000'000};
    o.finished = Timestamp{4'000'000};
    o.steps.push_back(StepTiming{"write", Timestamp{1'000'000}, Timestamp{2'000'000}, 412, ""});
    o.steps.push_back(StepTiming{"fetch", Timestamp{2'000'000}, Timestamp{3'000'000}, 200, ""});
    o.steps.push_back(StepTiming{"write", Timestamp{3'000'000}, Timestamp{4'000'000}, 200, ""});
    o.final_body = nlohmann::json{{"tags", {"a", "b"}}};
    o.notes = {"merged 1 field"};
    return o;
}

inline Outcome failed_outcome(const std::string& resource, const std::string& op) {
    Outcome o;
    o.kind = OutcomeKind::failed;
    o.reason = FailureReason::persistent_conflict;
    o.path = "refetch>merge>retry>refetch>merge>retry";
    o.detail = "still conflicting after 3 attempts";
    o.resource_id = resource;
    o.correlation_id = "corr-" + op;
    o.op_id = op;
    o.attempts = 3;
    o.conflicts = 3;
    o.statuses = {409, 200, 409, 200, 409};
    o.delta = nlohmann::json{{"desired", {{"x", 1}}},
                             {"current", {{"x", 2}}},
                             {"patch", {{{"op", "replace"}, {"path", "/x"}, {"value", 1}}}}};
    o.alert = true;
    return o;
}

inline Outcome success_outcome(const std::string& resource, const std::string& op) {
    Outcome o;
    o.kind = OutcomeKind::success;
    o.path = "direct";
    o.resource_id = resource;
    o.op_id = op;
    o.attempts = 1;
    o.statuses = {200};
    return o;
}

}  // namespace conflictlab::engine::testing
