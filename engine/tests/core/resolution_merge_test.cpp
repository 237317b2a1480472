// The merge strategy inside the state machine: field rules on overlapping
// fields, set-merge arrays, guards, merging without a base, repeated conflicts.
#include <gtest/gtest.h>

#include "script.hpp"

namespace conflictlab::engine::testing {
namespace {

Policy merge_policy(FieldRule rule = FieldRule::newer_wins) {
    Policy p = quick_policy();
    p.strategy = Strategy::merge;
    p.field_rules.default_rule = rule;
    return p;
}

// base {price 1, ts T0}; ours sets price 2 at `ours_ts`; theirs set price 3 at
// `theirs_ts`. Returns the body of the resubmitted write, or the Done outcome.
Action overlap(const Policy& p, const char* ours_ts, const char* theirs_ts) {
    static StubRandom random;
    Update u = put_update({{"price", 2}, {"updatedAt", ours_ts}});
    u.base_body = json{{"price", 1}, {"updatedAt", "2026-01-01T09:00:00Z"}};
    Resolution r(u, p, random);
    r.start();
    r.on_response(response(409));
    return r.on_response(response(200, {{"price", 3}, {"updatedAt", theirs_ts}}, "\"v2\""));
}

TEST(FieldRules, Ours_OurValueWins) {
    auto a = overlap(merge_policy(FieldRule::ours), "2026-01-01T10:00:00Z", "2026-01-01T10:00:01Z");
    // Stale-check off would be needed to reach the merge when theirs is newer;
    // here ours is older so the update is discarded first.
    EXPECT_EQ(outcome_of(a).kind, OutcomeKind::discarded);
    Policy p = merge_policy(FieldRule::ours);
    p.discard_if_stale = false;
    a = overlap(p, "2026-01-01T10:00:00Z", "2026-01-01T10:00:01Z");
    EXPECT_EQ(body_of(request_of(a)), (json{{"price", 2}, {"updatedAt", "2026-01-01T10:00:00Z"}}));
}

TEST(FieldRules, Theirs_TheirValueWinsAndNothingIsLeft_Discarded) {
    auto a =
        overlap(merge_policy(FieldRule::theirs), "2026-01-01T10:00:02Z", "2026-01-01T10:00:01Z");
    const auto o = outcome_of(a);
    EXPECT_EQ(o.kind, OutcomeKind::discarded);
    EXPECT_EQ(o.path, "refetch>merge>discard");
    EXPECT_EQ(o.detail, "every change lost to the field rules (/price, /updatedAt)");
}

TEST(FieldRules, Theirs_PerPointerRule_OtherFieldsStillMerge) {
    StubRandom random;
    Policy p = merge_policy(FieldRule::ours);
    p.field_rules.by_pointer["/price"] = FieldRule::theirs;
    Update u = put_update({{"price", 2}, {"note", "mine"}});
    u.base_body = json{{"price", 1}, {"note", "base"}};
    Resolution r(u, p, random);
    r.start();
    r.on_response(response(409));
    const auto retry =
        request_of(r.on_response(response(200, {{"price", 3}, {"note", "theirs"}}, "\"v2\"")));
    EXPECT_EQ(body_of(retry), (json{{"price", 3}, {"note", "mine"}}));
}

TEST(FieldRules, NewerWins_OursNewer) {
    auto a = overlap(merge_policy(), "2026-01-01T10:00:02Z", "2026-01-01T10:00:01Z");
    EXPECT_EQ(body_of(request_of(a))["price"], 2);
}

TEST(FieldRules, NewerWins_TheirsNewer) {
    Policy p = merge_policy();
    p.discard_if_stale = false;
    auto a = overlap(p, "2026-01-01T10:00:00Z", "2026-01-01T10:00:01Z");
    EXPECT_EQ(outcome_of(a).kind, OutcomeKind::discarded);  // every changed field lost
}

TEST(FieldRules, NewerWins_TieGoesToTheirs) {
    StubRandom random;
    Update u = put_update({{"price", 2}, {"owner", "me"}, {"updatedAt", "2026-01-01T10:00:01Z"}});
    u.base_body = json{{"price", 1}, {"owner", "x"}, {"updatedAt", "2026-01-01T09:00:00Z"}};
    Resolution r(u, merge_policy(), random);
    r.start();
    r.on_response(response(409));
    json theirs = {{"price", 3}, {"owner", "x"}, {"updatedAt", "2026-01-01T10:00:01Z"}};
    const auto retry = request_of(r.on_response(response(200, theirs, "\"v2\"")));
    EXPECT_EQ(body_of(retry),
              (json{{"price", 3}, {"owner", "me"}, {"updatedAt", "2026-01-01T10:00:01Z"}}));
}

TEST(FieldRules, NewerWins_NoSignalGoesToOurs) {
    StubRandom random;
    Policy p = merge_policy();
    p.timestamp_pointer.clear();
    Update u = put_update({{"price", 2}});
    u.base_body = json{{"price", 1}};
    Resolution r(u, p, random);
    r.start();
    r.on_response(response(409));
    EXPECT_EQ(body_of(request_of(r.on_response(response(200, {{"price", 3}}, "\"v2\""))))["price"],
              2);
}

TEST(FieldRules, Fail_IrreconcilableNamingTheField) {
    auto a = overlap(merge_policy(FieldRule::fail), "2026-01-01T10:00:02Z", "2026-01-01T10:00:01Z");
    const auto o = outcome_of(a);
    EXPECT_EQ(o.reason, FailureReason::irreconcilable_merge);
    EXPECT_EQ(o.detail,
              "field /price changed on both sides (ours 2, theirs 3) and its field rule is fail");
    EXPECT_TRUE(o.alert);
}

TEST(SetMerge, ArraysAtSetPointersKeepBothSidesAdditionsAndRemovals) {
    StubRandom random;
    Policy p = merge_policy();
    p.set_merge_pointers = {"/tags"};
    Update u = put_update({{"tags", {"a", "b", "mine"}}});  // ours added "mine"
    u.base_body = json{{"tags", {"a", "b", "c"}}};          // ...and removed "c"
    Resolution r(u, p, random);
    r.start();
    r.on_response(response(409));
    // theirs removed "a", added "theirs"
    const auto retry =
        request_of(r.on_response(response(200, {{"tags", {"b", "c", "theirs"}}}, "\"v2\"")));
    EXPECT_EQ(body_of(retry)["tags"], (json{"b", "theirs", "mine"}));
}

TEST(SetMerge, WithoutBase_PatchAppendsToCurrentSet) {
    StubRandom random;
    Policy p = merge_policy();
    p.set_merge_pointers = {"/tags"};
    Update u = put_update({{"tags", {"new"}}});
    u.method = WriteMethod::patch;
    Resolution r(u, p, random);
    r.start();
    r.on_response(response(409));
    const auto retry =
        request_of(r.on_response(response(200, {{"tags", {"x", "y"}}, {"n", 1}}, "\"v2\"")));
    EXPECT_EQ(retry.method, "PATCH");
    EXPECT_EQ(body_of(retry), (json{{"tags", {"x", "y", "new"}}}));
}

TEST(SetMerge, WithoutSetPointer_ArraysAreValues) {
    StubRandom random;
    Update u = put_update({{"tags", {"a", "mine"}}});
    u.base_body = json{{"tags", {"a"}}};
    Resolution r(u, merge_policy(FieldRule::ours), random);
    r.start();
    r.on_response(response(409));
    const auto retry =
        request_of(r.on_response(response(200, {{"tags", {"a", "theirs"}}}, "\"v2\"")));
    EXPECT_EQ(body_of(retry)["tags"], (json{"a", "mine"}));
}

TEST(Guards, ChangedByUsOnly_IsNotAConflict) {
    StubRandom random;
    Policy p = merge_policy();
    p.guard_pointers = {"/type"};
    Update u = put_update({{"type", "b"}, {"x", 1}});
    u.base_body = json{{"type", "a"}, {"x", 0}};
    Resolution r(u, p, random);
    r.start();
    r.on_transport_error(transport(TransportErrorKind::timeout, true));
    // Our own write landed: /type differs from base but equals ours.
    const auto o = outcome_of(r.on_response(response(200, u.payload, "\"v2\"")));
    EXPECT_EQ(o.path, "indeterminate>verify>already-applied");
}

TEST(Guards, ChangedBySomeoneElse_UnderOverwriteToo) {
    StubRandom random;
    Policy p = quick_policy();
    p.guard_pointers = {"/schemaVersion"};
    Update u = put_update({{"schemaVersion", 1}, {"x", 2}});
    u.base_body = json{{"schemaVersion", 1}, {"x", 1}};
    Resolution r(u, p, random);
    r.start();
    r.on_response(response(409));
    const auto o =
        outcome_of(r.on_response(response(200, {{"schemaVersion", 2}, {"x", 1}}, "\"v2\"")));
    EXPECT_EQ(o.reason, FailureReason::irreconcilable_merge);
    EXPECT_EQ(o.path, "refetch>overwrite");
    EXPECT_EQ(o.detail, "guard field /schemaVersion changed (base 1, current 2)");
}

TEST(WithoutBase, PatchReappliedAsMergePatch_SentAsMinimalPatch) {
    StubRandom random;
    Update u = put_update({{"a", 5}, {"gone", nullptr}});
    u.method = WriteMethod::patch;
    Resolution r(u, merge_policy(), random);
    r.start();
    r.on_response(response(409));
    const auto retry =
        request_of(r.on_response(response(200, {{"a", 1}, {"b", 2}, {"gone", true}}, "\"v2\"")));
    EXPECT_EQ(retry.method, "PATCH");
    EXPECT_EQ(body_of(retry), (json{{"a", 5}, {"gone", nullptr}}));
}

TEST(WithoutBase, PutUnderMergeNeverDropsFieldsTheUpdateDidNotTouch) {
    StubRandom random;
    Update u = put_update({{"a", 9}, {"nested", {{"x", 1}}}});
    Resolution r(u, merge_policy(), random);
    r.start();
    r.on_response(response(409));
    json theirs = {{"a", 1}, {"c", 3}, {"nested", {{"x", 0}, {"y", 2}}}};
    const auto retry = request_of(r.on_response(response(200, theirs, "\"v2\"")));
    EXPECT_EQ(retry.method, "PUT");
    EXPECT_EQ(body_of(retry), (json{{"a", 9}, {"c", 3}, {"nested", {{"x", 1}, {"y", 2}}}}));
}

// Second round: the ancestor is what the first merge was based on, so the
// other writer's change between the rounds survives too.
TEST(RepeatedConflicts, SecondRoundMergesAgainstTheFirstRoundsState) {
    StubRandom random;
    Update u = put_update({{"a", 1}, {"b", 0}, {"c", 0}});
    u.base_body = json{{"a", 0}, {"b", 0}, {"c", 0}};
    Resolution r(u, merge_policy(), random);
    r.start();
    r.on_response(response(409));
    auto first = request_of(r.on_response(response(200, {{"a", 0}, {"b", 2}, {"c", 0}}, "\"v2\"")));
    EXPECT_EQ(body_of(first), (json{{"a", 1}, {"b", 2}, {"c", 0}}));
    r.on_response(response(412));
    auto second =
        request_of(r.on_response(response(200, {{"a", 0}, {"b", 2}, {"c", 3}}, "\"v3\"")));
    EXPECT_EQ(header(second, "If-Match"), "\"v3\"");
    EXPECT_EQ(body_of(second), (json{{"a", 1}, {"b", 2}, {"c", 3}}));
    const auto o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.path, "refetch>merge>retry>refetch>merge>retry");
    EXPECT_EQ(o.conflicts, 2);
}

TEST(RepeatedConflicts, MergedChangesAlreadyPresent_ResolvedAlreadyApplied) {
    StubRandom random;
    Update u = put_update({{"a", 1}, {"b", 0}});
    u.base_body = json{{"a", 0}, {"b", 0}};
    Resolution r(u, merge_policy(), random);
    r.start();
    r.on_response(response(409));
    // Someone else changed b and also made our change to a.
    const auto o = outcome_of(r.on_response(response(200, {{"a", 1}, {"b", 5}}, "\"v2\"")));
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
    EXPECT_EQ(o.path, "refetch>merge>already-applied");
}

}  // namespace
}  // namespace conflictlab::engine::testing
