#pragma once
// Outcome: the one record every Resolution ends with (Done::outcome): what
// happened, the path taken and why. The transaction log, alerts and reports
// consume it through to_json(), whose field names are stable (documented in
// docs/engine.md "Outcome record").
//
// Thread-safety: a value.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/engine/messages.hpp"
#include "conflictlab/engine/update.hpp"

namespace conflictlab::engine {

enum class OutcomeKind {
    success,    // the first write was accepted
    resolved,   // accepted after a conflict or transient failure, or found
                // already applied
    discarded,  // deliberately not applied (stale, or target deleted + drop)
    failed,     // not applied; reason says why; raise an alert
};

enum class FailureReason {
    none,                   // not failed
    persistent_conflict,    // still conflicting when attempts ran out
    deleted,                // 404/410 with DeletedPolicy::fail
    irreconcilable_merge,   // guard field changed, or a `fail` field rule hit
    weak_etag_only,         // strict mode and the server offers only weak ETags
    missing_token,          // the current state has no usable token at all
    invalid_body,           // the current state is not JSON (merge needs it)
    precondition_required,  // 428 although a precondition was sent
    non_retryable_4xx,      // another 4xx: the request itself is wrong
    unexpected_status,      // 1xx/3xx or a 5xx we do not retry (501, 505...)
    exhausted_transient,    // attempts ran out on 5xx/429/transport errors
    timeout_indeterminate,  // gave up with a write whose result is unknown
    deadline_exceeded,      // Policy::deadline_ms elapsed
};

// Which signal decided "is the update older than the current state?".
enum class FreshnessSignal { not_checked, business_timestamp, last_modified, none };

// Names: "success" "resolved" "discarded" "failed"; "none"
// "persistent-conflict" "deleted" "irreconcilable-merge" "weak-etag-only"
// "missing-token" "invalid-body" "precondition-required" "non-retryable-4xx"
// "unexpected-status" "exhausted-transient" "timeout-indeterminate"
// "deadline-exceeded"; "not-checked" "business-timestamp" "last-modified" "none".
std::string_view outcome_kind_name(OutcomeKind v) noexcept;
std::string_view failure_reason_name(FailureReason v) noexcept;
std::string_view freshness_signal_name(FreshnessSignal v) noexcept;
std::optional<OutcomeKind> parse_outcome_kind(std::string_view name) noexcept;
std::optional<FailureReason> parse_failure_reason(std::string_view name) noexcept;
std::optional<FreshnessSignal> parse_freshness_signal(std::string_view name) noexcept;

// One request or sleep, timed with the driver's timestamps.
struct StepTiming {
    // "write", "fetch", "verify" (RequestPurpose names) or "sleep".
    std::string step;
    Timestamp started{0};   // when the action was handed out
    Timestamp finished{0};  // when its completion event arrived
    int status = 0;         // HTTP status; 0 for sleeps and transport errors
    std::string error;      // transport error kind ("timeout"...), else empty
};

struct Outcome {
    OutcomeKind kind = OutcomeKind::failed;
    // Decisions joined with '>', e.g. "direct", "refetch>merge>retry",
    // "transient>retry", "indeterminate>verify>already-applied". The segment
    // vocabulary is listed in docs/engine.md "Paths".
    std::string path;
    FailureReason reason = FailureReason::none;
    // Human explanation (for failures and for notable successes).
    std::string detail;
    // Peer misbehaviour and adjustments noticed on the way ("missing ETag on
    // 200", "Retry-After 120000 ms capped to 30000 ms"...).
    std::vector<std::string> notes;

    // Copied from the Update.
    std::string resource_id;
    WriteMethod method = WriteMethod::put;
    std::string correlation_id;
    std::string event_id;
    std::string writer_id;
    std::string op_id;

    int attempts = 0;                         // writes sent
    int conflicts = 0;                        // responses with a conflict status
    std::vector<int> statuses;                // every HTTP status seen, in order
    std::optional<std::string> token_before;  // the base token, as given
    std::optional<std::string> token_after;   // token of the final state, if known
    FreshnessSignal freshness = FreshnessSignal::not_checked;
    std::vector<StepTiming> steps;
    Timestamp started{0};   // start()'s timestamp
    Timestamp finished{0};  // the timestamp of the event that produced Done
    // The body of the last write sent (absent when none was sent).
    std::optional<nlohmann::json> final_body;
    // Failed only: what the update wanted versus the last known server state,
    // {"desired": ..., "current": ... | null, "patch": RFC 6902 from current
    // to desired | null}. Absent when not failed.
    std::optional<nlohmann::json> delta;
    // Failed: someone should be told (Adaptive Card alert).
    bool alert = false;
};

// Stable field names: kind, path, reason, detail, notes, resource_id, method,
// correlation_id, event_id, writer_id, op_id, attempts, conflicts, statuses,
// token_before, token_after, freshness, steps [{step, started_ns,
// duration_ns, status, error}] (started_ns relative to `started`),
// duration_ns, final_body, delta, alert. Absent optionals are JSON null.
nlohmann::json to_json(const Outcome& outcome);

}  // namespace conflictlab::engine
