// Policy JSON: defaults, round trip, presets, and validation messages that
// name the field (asserted exactly: scenario authors read them).
#include "conflictlab/engine/policy.hpp"

#include <gtest/gtest.h>

namespace conflictlab::engine {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
    try {
        policy_from_json(j);
    } catch (const PolicyError& e) {
        return e.what();
    }
    return "<no error>";
}

TEST(PolicyJson, EmptyObjectGivesTheDocumentedDefaults) {
    const Policy defaults;
    Policy p = policy_from_json(json::object());
    EXPECT_TRUE(p == defaults);
    EXPECT_EQ(p.strategy, Strategy::overwrite);
    EXPECT_TRUE(p.discard_if_stale);
    EXPECT_EQ(p.max_attempts, 3);
    EXPECT_EQ(p.target.conflict_statuses, (std::vector<int>{409, 412}));
    EXPECT_EQ(p.target.weak_etag_mode, WeakEtagMode::strict);
    EXPECT_EQ(p.deleted_policy, DeletedPolicy::fail);
    EXPECT_TRUE(p.detect_already_applied);
}

TEST(PolicyJson, RoundTripOfEveryField) {
    Policy p;
    p.strategy = Strategy::merge;
    p.discard_if_stale = false;
    p.field_rules.default_rule = FieldRule::theirs;
    p.field_rules.by_pointer = {{"/price", FieldRule::fail}, {"/a~1b", FieldRule::ours}};
    p.set_merge_pointers = {"/tags"};
    p.guard_pointers = {"/type", "/schemaVersion"};
    p.timestamp_pointer = "/meta/updatedAt";
    p.deleted_policy = DeletedPolicy::recreate;
    p.max_attempts = 7;
    p.backoff = BackoffOptions{BackoffKind::decorrelated_jitter, 20, 3.0, 5000, 0.2};
    p.retry_after_cap_ms = 1234;
    p.attempt_timeout_ms = 2500;
    p.deadline_ms = 9000;
    p.target.resource_path = "/v1/things/{id}";
    p.target.token_source = TokenSource::body_pointer;
    p.target.token_pointer = "/metadata/resourceVersion";
    p.target.token_sink = TokenSink::both;
    p.target.conflict_statuses = {409};
    p.target.weak_etag_mode = WeakEtagMode::lenient;
    p.detect_already_applied = false;
    json j = to_json(p);
    EXPECT_EQ(j["backoff"]["kind"], "decorrelated-jitter");
    EXPECT_EQ(j["field_rules"]["pointers"]["/price"], "fail");
    EXPECT_EQ(j["target"]["token_sink"], "both");
    EXPECT_EQ(policy_from_json(j), p);
    EXPECT_EQ(policy_from_json(json::parse(j.dump())), p);
}

TEST(PolicyJson, BackoffPresetByNameSetsAttempts) {
    Policy p = policy_from_json({{"backoff", "k8s-client-go"}});
    EXPECT_EQ(p.backoff, find_backoff_preset("k8s-client-go")->options);
    EXPECT_EQ(p.max_attempts, 5);
}

TEST(PolicyJson, BackoffPresetWithOverridesAndExplicitAttempts) {
    Policy p = policy_from_json(
        {{"backoff", {{"preset", "aws-standard"}, {"cap_ms", 5000}}}, {"max_attempts", 9}});
    EXPECT_EQ(p.backoff.kind, BackoffKind::full_jitter);
    EXPECT_EQ(p.backoff.base_ms, 100);
    EXPECT_EQ(p.backoff.cap_ms, 5000);
    EXPECT_EQ(p.max_attempts, 9);
}

TEST(PolicyJsonErrors, MessagesNameTheField) {
    EXPECT_EQ(error_of(json::array()), "policy: expected an object, got array");
    EXPECT_EQ(error_of({{"stratgy", "merge"}}), "policy.stratgy: unknown field");
    EXPECT_EQ(error_of({{"strategy", "lww"}}),
              "policy.strategy: unknown value \"lww\" (expected one of overwrite, merge)");
    EXPECT_EQ(error_of({{"strategy", 1}}),
              "policy.strategy: expected one of overwrite, merge, got number");
    EXPECT_EQ(error_of({{"discard_if_stale", "yes"}}),
              "policy.discard_if_stale: expected true or false, got string");
    EXPECT_EQ(error_of({{"max_attempts", 0}}),
              "policy.max_attempts: must be between 1 and 1000 (got 0)");
    EXPECT_EQ(error_of({{"max_attempts", 2.5}}),
              "policy.max_attempts: expected an integer, got 2.5");
    EXPECT_EQ(error_of({{"guard_pointers", {"/type", "type"}}}),
              "policy.guard_pointers[1]: not a JSON pointer (RFC 6901; e.g. \"/a/b\"): \"type\"");
    EXPECT_EQ(error_of({{"field_rules", {{"pointers", {{"/x", "mine"}}}}}}),
              "policy.field_rules.pointers[\"/x\"]: unknown value \"mine\" (expected one of "
              "newer-wins, ours, theirs, fail)");
    EXPECT_EQ(error_of({{"field_rules", {{"default", "newest"}}}}),
              "policy.field_rules.default: unknown value \"newest\" (expected one of newer-wins, "
              "ours, theirs, fail)");
    EXPECT_EQ(error_of({{"backoff", "fast"}}),
              "policy.backoff: unknown preset \"fast\" (expected one of aws-standard, "
              "k8s-client-go)");
    EXPECT_EQ(error_of({{"backoff", {{"kind", "linear"}}}}),
              "policy.backoff.kind: unknown value \"linear\" (expected one of none, constant, "
              "exponential, full-jitter, equal-jitter, decorrelated-jitter)");
    EXPECT_EQ(error_of({{"backoff", {{"base_ms", 500}, {"cap_ms", 100}}}}),
              "policy.backoff.cap_ms: must be >= base_ms (500), got 100");
    EXPECT_EQ(error_of({{"backoff", {{"multiplier", 0.5}}}}),
              "policy.backoff.multiplier: must be between 1.0 and 100.0 (got 0.5)");
    EXPECT_EQ(error_of({{"backoff", {{"jiter", 0.1}}}}), "policy.backoff.jiter: unknown field");
    EXPECT_EQ(error_of({{"deadline_ms", -1}}),
              "policy.deadline_ms: must be between 1 and 86400000 (got -1)");
    EXPECT_EQ(error_of({{"target", {{"token_source", "body-pointer"}}}}),
              "policy.target.token_pointer: required when token_source or token_sink uses the "
              "body (e.g. \"/_rev\")");
    EXPECT_EQ(error_of({{"target", {{"conflict_statuses", {409, 200}}}}}),
              "policy.target.conflict_statuses[1]: must be between 400 and 599 (got 200)");
    EXPECT_EQ(error_of({{"target", {{"resource_path", "/things"}}}}),
              "policy.target.resource_path: must contain {id}");
    EXPECT_EQ(error_of({{"target", {{"weak_etag_mode", "loose"}}}}),
              "policy.target.weak_etag_mode: unknown value \"loose\" (expected one of strict, "
              "lenient)");
}

TEST(PolicyJsonErrors, PolicyErrorCarriesTheFieldPath) {
    try {
        policy_from_json({{"target", {{"token_sink", "header"}}}});
        FAIL();
    } catch (const PolicyError& e) {
        EXPECT_EQ(e.field(), "policy.target.token_sink");
    }
}

TEST(PolicyValidate, ProgrammaticPoliciesAreCheckedToo) {
    Policy p;
    p.max_attempts = 0;
    EXPECT_THROW(validate(p), PolicyError);
    Policy q;
    q.target.token_sink = TokenSink::body_pointer;
    EXPECT_THROW(validate(q), PolicyError);
}

TEST(FieldRules, LongestMatchingPointerWinsAndPrefixesMatchWholeTokens) {
    FieldRules r;
    r.default_rule = FieldRule::newer_wins;
    r.by_pointer = {{"/a", FieldRule::ours}, {"/a/b", FieldRule::theirs}};
    EXPECT_EQ(r.rule_for("/a"), FieldRule::ours);
    EXPECT_EQ(r.rule_for("/a/c"), FieldRule::ours);
    EXPECT_EQ(r.rule_for("/a/b/c"), FieldRule::theirs);
    EXPECT_EQ(r.rule_for("/ab"), FieldRule::newer_wins);
    EXPECT_EQ(r.rule_for(""), FieldRule::newer_wins);
}

}  // namespace
}  // namespace conflictlab::engine
