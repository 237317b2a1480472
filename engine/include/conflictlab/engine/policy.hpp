#pragma once
// Policy: how a Resolution decides. Documented data with defaults, readable
// from and writable to JSON (the `policy` object of scenario files and of the
// service configuration). docs/engine.md describes every field.
//
// TargetProfile describes how a particular API does optimistic concurrency:
// where the version token is read and sent, which statuses mean "conflict",
// and whether weak ETags may be sent in If-Match.
//
// Thread-safety: values. A Policy may be shared read-only by many resolutions.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/engine/backoff.hpp"

namespace conflictlab::engine {

// What to do with the update after a conflict.
enum class Strategy {
    overwrite,  // last writer wins: resend the update with the fresh token
    merge,      // three-way merge base/ours/theirs, resend the merged result
};

// Who wins a field changed on both sides to different values (merge only).
enum class FieldRule {
    newer_wins,  // the side with the later business timestamp (ties: theirs)
    ours,        // the update's value
    theirs,      // the server's current value
    fail,        // irreconcilable: Failed, reason irreconcilable-merge
};

enum class DeletedPolicy {
    fail,      // Failed, reason deleted (alert)
    recreate,  // PUT the desired state with If-None-Match: *
    drop,      // Discarded: the resource is gone, so is the update
};

enum class TokenSource {
    etag_header,   // the ETag response header
    body_pointer,  // the JSON value at TargetProfile::token_pointer in the body
};

enum class TokenSink {
    if_match,      // If-Match request header
    body_pointer,  // written into the request body at token_pointer
    both,
};

enum class WeakEtagMode {
    strict,   // RFC 9110: weak tags never match If-Match, so they are unusable
    lenient,  // the server accepts W/"..." in If-Match: send it
};

// Names used in JSON: "overwrite" "merge"; "newer-wins" "ours" "theirs"
// "fail"; "fail" "recreate" "drop"; "etag-header" "body-pointer";
// "if-match" "body-pointer" "both"; "strict" "lenient".
std::string_view strategy_name(Strategy v) noexcept;
std::string_view field_rule_name(FieldRule v) noexcept;
std::string_view deleted_policy_name(DeletedPolicy v) noexcept;
std::string_view token_source_name(TokenSource v) noexcept;
std::string_view token_sink_name(TokenSink v) noexcept;
std::string_view weak_etag_mode_name(WeakEtagMode v) noexcept;

struct FieldRules {
    // Rule for any field without a more specific entry.
    FieldRule default_rule = FieldRule::newer_wins;
    // Rule per JSON pointer; applies to that field and everything below it
    // (the longest matching pointer wins).
    std::map<std::string, FieldRule> by_pointer;

    // The rule for the field at `pointer` (an RFC 6901 string).
    FieldRule rule_for(std::string_view pointer) const;

    bool operator==(const FieldRules&) const = default;
};

struct TargetProfile {
    // Request path relative to the base URL; "{id}" becomes the
    // percent-encoded Update::resource_id.
    std::string resource_path = "/resources/{id}";
    // Where the version token is read from.
    TokenSource token_source = TokenSource::etag_header;
    // JSON pointer of a body token ("/_rev", "/metadata/resourceVersion").
    // Required when token_source or token_sink uses the body. With
    // token_source = etag_header it is also the fallback token in strict weak
    // ETag mode (used only when token_sink writes the body).
    std::string token_pointer;
    // Where the token is sent on writes.
    TokenSink token_sink = TokenSink::if_match;
    // Statuses that mean "your precondition/version is stale": refetch.
    std::vector<int> conflict_statuses = {409, 412};
    // See WeakEtagMode and docs/engine.md "Weak ETags".
    WeakEtagMode weak_etag_mode = WeakEtagMode::strict;

    bool operator==(const TargetProfile&) const = default;
};

struct Policy {
    // After a conflict: overwrite (LWW) or merge.
    Strategy strategy = Strategy::overwrite;
    // Discard the update when the current state is newer (business timestamp
    // or Last-Modified) instead of applying it.
    bool discard_if_stale = true;
    // Merge only: who wins fields changed on both sides.
    FieldRules field_rules;
    // Merge only: arrays at these pointers merge as sets (additions and
    // removals of each side are kept) instead of being replaced as values.
    std::vector<std::string> set_merge_pointers;
    // Fields whose change by someone else makes the update meaningless (e.g.
    // "/type", "/schemaVersion"): Failed, reason irreconcilable-merge.
    std::vector<std::string> guard_pointers;
    // Where the business timestamp lives in documents: an RFC 3339 string or
    // epoch milliseconds number. Empty: documents carry none.
    std::string timestamp_pointer;
    // What to do when the resource is gone (404/410 on write or fetch).
    DeletedPolicy deleted_policy = DeletedPolicy::fail;
    // Writes (PUT/PATCH) sent at most, including the first. 1..1000.
    int max_attempts = 3;
    // Delay before each retry (conflict refetch, transient error).
    BackoffOptions backoff;
    // Retry-After values above this are clamped to it (and noted). >= 0.
    std::int64_t retry_after_cap_ms = 30'000;
    // Per-request timeout handed to the driver. > 0.
    std::int64_t attempt_timeout_ms = 10'000;
    // Whole resolution, from start() to Done. > 0.
    std::int64_t deadline_ms = 60'000;
    // How the target API does optimistic concurrency.
    TargetProfile target;
    // When a fetched state already contains the update, finish as Resolved
    // (already-applied) instead of writing it again.
    bool detect_already_applied = true;

    bool operator==(const Policy&) const = default;
};

// Bad policy input. what() is "<field>: <problem>", e.g.
// "policy.backoff.kind: unknown value \"fast\" (expected one of none,
// constant, exponential, full-jitter, equal-jitter, decorrelated-jitter)".
class PolicyError : public std::invalid_argument {
  public:
    PolicyError(std::string field, const std::string& problem);
    // The dotted path of the offending field, e.g. "policy.max_attempts".
    const std::string& field() const noexcept { return field_; }

  private:
    std::string field_;
};

// Throws PolicyError for values out of range or inconsistent (e.g. body
// token without token_pointer, invalid JSON pointers).
void validate(const Policy& policy);

// Reads a policy; absent fields keep their defaults, unknown fields are
// errors. "backoff" is an object, or a preset name string; an object may name
// a "preset" and override some of its fields. A preset's attempt count is
// used unless "max_attempts" is given. Throws PolicyError naming the field
// (prefix "policy.").
Policy policy_from_json(const nlohmann::json& j);
// Every field, with the names policy_from_json reads.
nlohmann::json to_json(const Policy& policy);
nlohmann::json to_json(const BackoffOptions& options);

}  // namespace conflictlab::engine
