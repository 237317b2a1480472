// disjoint-fields: each writer's last acknowledged write of its field
// survives. overlapping-fields: each field ends with some acknowledged (or
// indeterminate) value, never a rejected one.

#include <gtest/gtest.h>

#include "history_builder.hpp"

namespace conflictlab::harness::testing {
namespace {

constexpr auto kDisjoint = WorkloadKind::disjoint_fields;
constexpr auto kOverlapping = WorkloadKind::overlapping_fields;

// Writer `w` writes `value` to /fields/<w> between invoked and completed.
OpRecord own(std::string id, std::string w, int value, Fate fate, double invoked,
             double completed) {
    return field_op(std::move(id), "r", {{"/fields/" + w, value}}, std::nullopt, fate, invoked,
                    completed, w);
}

TEST(CheckerDisjoint, EveryWritersLastAcknowledgedValueSurvives_IsClean) {
    // History order differs from completion order on purpose.
    const History h = make_history(
        kDisjoint,
        {own("a2", "a", 2, Fate::success, 10, 20), own("a1", "a", 1, Fate::success, 0, 10),
         own("b1", "b", 5, Fate::resolved, 0, 15)},
        {resource("r", chain({"a1", "b1", "a2"}), json{{"fields", {{"a", 2}, {"b", 5}}}})});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.fields_checked, 2u);
}

TEST(CheckerDisjoint, EarlierValueOfTheSameWriterSurvives_IsLostUpdate) {
    const History h = make_history(
        kDisjoint,
        {own("a1", "a", 1, Fate::success, 0, 10), own("a2", "a", 2, Fate::success, 10, 20)},
        {resource("r", chain({"a1", "a2"}), json{{"fields", {{"a", 1}}}})});
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.lost_updates, 1u);
    const Anomaly a = only_anomaly(report);
    EXPECT_EQ(a.kind, "lost-update");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"a2", "a1"}));
    EXPECT_EQ(a.versions, (std::vector<std::string>{"e2"}));
    EXPECT_EQ(a.detail,
              "field \"/fields/a\": expected 2 of op \"a2\" (its writer's last acknowledged "
              "write); found 1 from acknowledged op \"a1\"");
}

TEST(CheckerDisjoint, FieldGoneFromTheFinalState_IsLostUpdate) {
    const History h = make_history(
        kDisjoint,
        {own("a1", "a", 1, Fate::success, 0, 10), own("b1", "b", 5, Fate::success, 0, 10)},
        {resource("r", chain({"a1", "b1"}), json{{"fields", {{"b", 5}}}})});
    const Anomaly a = only_anomaly(check_history(h));
    EXPECT_EQ(a.kind, "lost-update");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"a1"}));
}

TEST(CheckerDisjoint, LaterIndeterminateWrite_EitherValueIsAccepted) {
    for (const int final_value : {1, 2}) {
        const History h = make_history(
            kDisjoint,
            {own("a1", "a", 1, Fate::success, 0, 10), own("a2", "a", 2, Fate::timeout, 10, 20)},
            {resource("r", chain({"a1", "a2"}), json{{"fields", {{"a", final_value}}}})});
        EXPECT_TRUE(check_history(h).clean()) << "final value " << final_value;
    }
}

TEST(CheckerDisjoint, EarlierIndeterminateValueOverTheLastAcknowledged_IsLostUpdate) {
    const History h = make_history(
        kDisjoint,
        {own("a1", "a", 1, Fate::timeout, 0, 10), own("a2", "a", 2, Fate::success, 10, 20)},
        {resource("r", chain({"a1", "a2"}), json{{"fields", {{"a", 1}}}})});
    EXPECT_EQ(check_history(h).lost_updates, 1u);
}

TEST(CheckerOverlapping, EveryFieldHoldsSomeAcknowledgedValue_IsClean_CountsTheNewest) {
    const History h = make_history(
        kOverlapping,
        {field_op("o1", "r", {{"/fields/f0", 1}, {"/fields/f1", 1}}, 100, Fate::success),
         field_op("o2", "r", {{"/fields/f0", 2}, {"/fields/f1", 2}}, 200, Fate::resolved)},
        // f0 kept the older value (a field rule "ours"/"theirs"), f1 the newest.
        {resource("r", chain({"o1", "o2"}),
                  json{{"fields", {{"f0", stamped(1, 100)}, {"f1", stamped(2, 200)}}}})});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.fields_checked, 2u);
    EXPECT_EQ(report.fields_final_newest, 1u);
}

TEST(CheckerOverlapping, RejectedOpsValuePresent_IsPhantomWrite) {
    const History h =
        make_history(kOverlapping,
                     {field_op("o1", "r", {{"/fields/f0", 1}}, 100, Fate::success),
                      field_op("o2", "r", {{"/fields/f0", 2}}, 200, Fate::failed)},
                     {resource("r", chain({"o1"}), json{{"fields", {{"f0", stamped(2, 200)}}}})});
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.phantom_writes, 1u);
    EXPECT_EQ(report.lost_updates, 1u);  // and o1's acknowledged value is gone
    ASSERT_EQ(report.anomalies.size(), 2u);
    EXPECT_EQ(report.anomalies[1].kind, "phantom-write");
    EXPECT_EQ(report.anomalies[1].op_ids, (std::vector<std::string>{"o2"}));
}

TEST(CheckerOverlapping, RejectedValueOnAFieldNoAcknowledgedOpWrote_IsPhantomOnly) {
    const History h = make_history(
        kOverlapping,
        {field_op("o1", "r", {{"/fields/f0", 1}}, 100, Fate::success),
         field_op("o2", "r", {{"/fields/f1", 2}}, 200, Fate::failed)},
        {resource("r", chain({"o1"}),
                  json{{"fields", {{"f0", stamped(1, 100)}, {"f1", stamped(2, 200)}}}})});
    const Anomaly a = only_anomaly(check_history(h));
    EXPECT_EQ(a.kind, "phantom-write");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o2"}));
}

TEST(CheckerOverlapping, ValueNoOpWrote_WithoutForeignWrites_IsLostUpdate) {
    const History h =
        make_history(kOverlapping, {field_op("o1", "r", {{"/fields/f0", 1}}, 100, Fate::success)},
                     {resource("r", chain({"o1"}), json{{"fields", {{"f0", stamped(9, 100)}}}})});
    const Anomaly a = only_anomaly(check_history(h));
    EXPECT_EQ(a.kind, "lost-update");
    EXPECT_EQ(a.detail,
              "field \"/fields/f0\": no acknowledged or indeterminate op wrote the final value "
              "(newest acknowledged: op \"o1\" wrote 1, ts 100); found {\"ts\":100,\"value\":9} "
              "(no op wrote it)");
}

TEST(CheckerOverlapping, ValueNoOpWrote_WithHistoryCutByTheCap_IsExcused) {
    ServerResource r =
        resource("r", {write(7, "e7", "e6", "o1")}, json{{"fields", {{"f0", stamped(9, 100)}}}});
    r.dropped = 6;
    const History h = make_history(
        kOverlapping, {field_op("o1", "r", {{"/fields/f0", 1}}, 100, Fate::success)}, {r});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.excused_by_foreign, 1u);
    EXPECT_EQ(report.server_writes_dropped, 6u);
}

}  // namespace
}  // namespace conflictlab::harness::testing
