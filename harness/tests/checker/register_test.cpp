// register (last-writer-wins): each field ends with the value of the
// acknowledged write with the greatest timestamp (ties: any of them), and a
// discarded write was older than an applied write it could have met.

#include <gtest/gtest.h>

#include "history_builder.hpp"

namespace conflictlab::harness::testing {
namespace {

constexpr auto kRegister = WorkloadKind::register_lww;

// {"fields": {"f0": {"value": v, "ts": ts}}}
json f0_body(json value, std::int64_t ts) {
    return {{"fields", {{"f0", stamped(value, ts)}}}};
}

OpRecord f0_op(std::string id, int value, std::int64_t ts, Fate fate, double invoked_ms = 0,
               double completed_ms = 0) {
    return field_op(std::move(id), "r", {{"/fields/f0", value}}, ts, fate, invoked_ms,
                    completed_ms);
}

TEST(CheckerRegister, FinalValueIsTheGreatestAcknowledgedTimestamp_IsClean) {
    // o2 finished last but carried the older timestamp: LWW keeps o1's value.
    const History h = make_history(
        kRegister, {f0_op("o1", 1, 200, Fate::success), f0_op("o2", 2, 100, Fate::resolved)},
        {resource("r", chain({"o2", "o1"}), f0_body(1, 200))});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.fields_checked, 1u);
}

TEST(CheckerRegister, TiedGreatestTimestamps_EitherValueIsAccepted) {
    for (const int final_value : {1, 2}) {
        const History h = make_history(
            kRegister, {f0_op("o1", 1, 100, Fate::success), f0_op("o2", 2, 100, Fate::success)},
            {resource("r", chain({"o1", "o2"}), f0_body(final_value, 100))});
        EXPECT_TRUE(check_history(h).clean()) << "final value " << final_value;
    }
}

TEST(CheckerRegister, OlderAcknowledgedValueWins_IsLostUpdateNamingExpectedAndHolder) {
    const History h = make_history(
        kRegister, {f0_op("o1", 1, 200, Fate::success), f0_op("o2", 2, 100, Fate::success)},
        {resource("r", chain({"o1", "o2"}), f0_body(2, 100))});
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.lost_updates, 1u);
    const Anomaly a = only_anomaly(report);
    EXPECT_EQ(a.kind, "lost-update");
    EXPECT_EQ(a.resource_id, "r");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o1", "o2"}));
    EXPECT_EQ(a.versions, (std::vector<std::string>{"e1", "e2"}));
    EXPECT_EQ(a.detail,
              "field \"/fields/f0\": expected 1 (ts 200) of acknowledged op \"o1\" (greatest "
              "timestamp); found {\"ts\":100,\"value\":2} from acknowledged op \"o2\"");
}

TEST(CheckerRegister, FieldMissingFromTheFinalState_IsLostUpdate) {
    const History h =
        make_history(kRegister, {f0_op("o1", 1, 100, Fate::success)},
                     {resource("r", chain({"o1"}), json{{"fields", json::object()}})});
    const Anomaly a = only_anomaly(check_history(h));
    EXPECT_EQ(a.kind, "lost-update");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o1"}));
    EXPECT_EQ(a.detail,
              "field \"/fields/f0\": expected 1 (ts 100) of acknowledged op \"o1\" (greatest "
              "timestamp); found nothing (the field is missing)");
}

TEST(CheckerRegister, SameValueWithAnotherTimestamp_IsNotThatOpsWrite) {
    // The value alone would match o1; the timestamp says it is someone else's.
    const History h = make_history(kRegister, {f0_op("o1", 1, 200, Fate::success)},
                                   {resource("r", chain({"o1"}), f0_body(1, 150))});
    EXPECT_EQ(check_history(h).lost_updates, 1u);
}

TEST(CheckerRegister, NewerIndeterminateValue_IsAccepted) {
    const History h = make_history(
        kRegister, {f0_op("o1", 1, 100, Fate::success), f0_op("o2", 2, 300, Fate::timeout)},
        {resource("r", chain({"o1", "o2"}), f0_body(2, 300))});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.indeterminate, 1u);
}

TEST(CheckerRegister, OlderIndeterminateValue_IsLostUpdate) {
    const History h = make_history(
        kRegister, {f0_op("o1", 1, 100, Fate::success), f0_op("o2", 2, 50, Fate::timeout)},
        {resource("r", chain({"o1", "o2"}), f0_body(2, 50))});
    EXPECT_EQ(check_history(h).lost_updates, 1u);
}

TEST(CheckerRegister, RejectedValuePresent_IsPhantomWriteAndLostUpdate) {
    const History h = make_history(
        kRegister, {f0_op("o1", 1, 100, Fate::success), f0_op("o2", 2, 300, Fate::failed)},
        {resource("r", chain({"o1"}), f0_body(2, 300))});
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.phantom_writes, 1u);
    EXPECT_EQ(report.lost_updates, 1u);
    ASSERT_EQ(report.anomalies.size(), 2u);
    EXPECT_EQ(report.anomalies[0].kind, "lost-update");  // sorted by kind
    EXPECT_EQ(report.anomalies[0].op_ids, (std::vector<std::string>{"o1", "o2"}));
    EXPECT_EQ(report.anomalies[1].kind, "phantom-write");
    EXPECT_EQ(report.anomalies[1].op_ids, (std::vector<std::string>{"o2"}));
    EXPECT_EQ(report.anomalies[1].detail,
              "field \"/fields/f0\" holds {\"ts\":300,\"value\":2} of rejected op \"o2\" (failed: "
              "persistent-conflict); no acknowledged or indeterminate op wrote that value");
}

TEST(CheckerRegister, ExactIntentValueLayout_IsAcceptedToo) {
    // A runner may store exactly what intent.fields holds at the pointer.
    const History h = make_history(kRegister, {f0_op("o1", 7, 100, Fate::success)},
                                   {resource("r", chain({"o1"}), json{{"fields", {{"f0", 7}}}})});
    EXPECT_TRUE(check_history(h).clean());
}

TEST(CheckerRegister, UnknownValueWithAForeignWrite_IsExcusedNotLost) {
    std::vector<ServerWrite> writes = chain({"o1"});
    writes.push_back(write(2, "e2", "e1", ""));  // foreign write fault: no op id
    const History h = make_history(kRegister, {f0_op("o1", 1, 100, Fate::success)},
                                   {resource("r", writes, f0_body("foreign", 999))});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.excused_by_foreign, 1u);
    EXPECT_EQ(report.unknown_ops, 0u);
}

TEST(CheckerRegister, UnknownValueWithoutForeignWrites_IsLostUpdate) {
    const History h = make_history(kRegister, {f0_op("o1", 1, 100, Fate::success)},
                                   {resource("r", chain({"o1"}), f0_body("corrupt", 999))});
    const Anomaly a = only_anomaly(check_history(h));
    EXPECT_EQ(a.kind, "lost-update");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o1"}));
}

TEST(CheckerRegisterDiscard, OlderThanAnAppliedWriteItCouldMeet_IsARightDiscard) {
    const History h = make_history(
        kRegister,
        {f0_op("o1", 1, 200, Fate::success, 0, 10), f0_op("o2", 2, 100, Fate::discarded, 5, 20)},
        {resource("r", chain({"o1"}), f0_body(1, 200))});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.discarded, 1u);
}

TEST(CheckerRegisterDiscard, IndeterminateWriteTheServerRecorded_IsAWitness) {
    const History h = make_history(
        kRegister,
        {f0_op("o1", 1, 200, Fate::timeout, 0, 10), f0_op("o2", 2, 100, Fate::discarded, 5, 20)},
        {resource("r", chain({"o1"}), f0_body(1, 200))});
    EXPECT_TRUE(check_history(h).clean());
}

TEST(CheckerRegisterDiscard, NothingAsNewAppliedBeforeIt_IsWrongDiscard) {
    OpRecord d = f0_op("o2", 2, 300, Fate::discarded, 5, 20);
    d.outcome.token_after = "e1";
    const History h = make_history(kRegister, {f0_op("o1", 1, 200, Fate::success, 0, 10), d},
                                   {resource("r", chain({"o1"}), f0_body(1, 200))});
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.wrong_discards, 1u);
    const Anomaly a = only_anomaly(report);
    EXPECT_EQ(a.kind, "wrong-discard");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o2", "o1"}));
    EXPECT_EQ(a.versions, (std::vector<std::string>{"e1"}));
    EXPECT_EQ(a.detail,
              "discarded op \"o2\" (ts 300) met no applied write with a timestamp >= its own; the "
              "newest invoked before it completed was op \"o1\" (ts 200)");
}

TEST(CheckerRegisterDiscard, NewerWriteInvokedAfterTheDiscardCompleted_IsNoWitness) {
    const History h = make_history(
        kRegister,
        {f0_op("o2", 2, 100, Fate::discarded, 0, 10), f0_op("o1", 1, 200, Fate::success, 11, 20)},
        {resource("r", chain({"o1"}), f0_body(1, 200))});
    const Anomaly a = only_anomaly(check_history(h));
    EXPECT_EQ(a.kind, "wrong-discard");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o2"}));
}

TEST(CheckerRegisterDiscard, WitnessMayHaveWrittenOtherFields_FreshnessIsPerDocument) {
    // The business timestamp covers the whole document (/updated_at): o1's
    // newer document made o2 stale although they wrote different fields.
    const History h =
        make_history(kRegister,
                     {field_op("o1", "r", {{"/fields/f1", 1}}, 200, Fate::success),
                      field_op("o2", "r", {{"/fields/f0", 2}}, 100, Fate::discarded)},
                     {resource("r", chain({"o1"}), json{{"fields", {{"f1", stamped(1, 200)}}}})});
    EXPECT_TRUE(check_history(h).clean());
}

TEST(CheckerRegisterDiscard, RejectedWriteIsNoWitness) {
    const History h = make_history(
        kRegister, {f0_op("o1", 1, 200, Fate::failed), f0_op("o2", 2, 100, Fate::discarded)},
        {resource("r", {}, json::object())});
    EXPECT_EQ(check_history(h).wrong_discards, 1u);
}

TEST(CheckerRegisterDiscard, OnADeletedResource_IsExcused) {
    std::vector<ServerWrite> writes = chain({"o1"});
    writes.push_back(write(2, "", "e1", ""));
    ServerResource r = resource("r", writes, nullptr);
    r.final_body.reset();
    r.deleted = true;
    const History h = make_history(kRegister, {f0_op("o2", 2, 100, Fate::discarded)}, {r});
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.unknown_ops, 1u);  // o1 is not among the ops
    EXPECT_EQ(report.wrong_discards, 0u);
    EXPECT_EQ(report.excused_by_deletion, 1u);
}

TEST(CheckerValidation, RegisterOpWithoutTimestamp_IsRejected) {
    const History h = make_history(
        kRegister, {field_op("o1", "r", {{"/fields/f0", 1}}, std::nullopt, Fate::success)}, {});
    EXPECT_EQ(check_error(h),
              "ops[0].intent.timestamp_ms: missing for register op \"o1\" (last-writer-wins is "
              "judged by it)");
}

TEST(CheckerValidation, FieldThatIsNotAJsonPointer_IsRejected) {
    const History h =
        make_history(kRegister, {field_op("o1", "r", {{"fields/f0", 1}}, 1, Fate::success)}, {});
    EXPECT_EQ(check_error(h),
              "ops[0].intent.fields: \"fields/f0\" is not a JSON pointer to a member (op \"o1\"; "
              "expected e.g. \"/fields/f0\")");
}

TEST(CheckerValidation, FieldOpWithoutFields_IsRejected) {
    const History h = make_history(kRegister, {field_op("o1", "r", {}, 1, Fate::success)}, {});
    EXPECT_EQ(check_error(h),
              "ops[0].intent.fields: empty for register op \"o1\" (each op writes at least one "
              "field)");
}

}  // namespace
}  // namespace conflictlab::harness::testing
