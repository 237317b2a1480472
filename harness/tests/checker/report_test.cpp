// The report: counters, anomaly order and limit, and the JSON shapes that
// results files and CI gates read.

#include <gtest/gtest.h>

#include "history_builder.hpp"

namespace conflictlab::harness::testing {
namespace {

// Five lost updates over two resources, listed out of order.
History five_lost_updates() {
    return make_history(
        WorkloadKind::set_add,
        {set_op("o5", "r2", "e", Fate::success), set_op("o3", "r1", "c", Fate::success),
         set_op("o1", "r1", "a", Fate::success), set_op("o4", "r2", "d", Fate::success),
         set_op("o2", "r1", "b", Fate::success)},
        {resource("r1", {}, items({})), resource("r2", {}, items({}))});
}

std::vector<std::string> first_op_ids(const CheckReport& report) {
    std::vector<std::string> ids;
    for (const Anomaly& a : report.anomalies)
        ids.push_back(a.resource_id + "/" + a.op_ids.at(0));
    return ids;
}

TEST(CheckerReport, AnomaliesAreSortedByResourceKindThenOpId) {
    History h = five_lost_updates();
    h.resources.at("r1").writes = {write(2, "x2", "x1", "")};  // gap: linear-history on r1
    const CheckReport report = check_history(h);
    ASSERT_EQ(report.anomalies.size(), 6u);
    std::vector<std::string> order;
    for (const Anomaly& a : report.anomalies) {
        order.push_back(a.resource_id + " " + a.kind + " " +
                        (a.op_ids.empty() ? "-" : a.op_ids.front()));
    }
    EXPECT_EQ(order, (std::vector<std::string>{"r1 linear-history -", "r1 lost-update o1",
                                               "r1 lost-update o2", "r1 lost-update o3",
                                               "r2 lost-update o4", "r2 lost-update o5"}));
}

TEST(CheckerReport, AnomalyLimit_KeepsTheFirstInOrderAndCountsAll) {
    const CheckReport report = check_history(five_lost_updates(), CheckOptions{.anomaly_limit = 2});
    EXPECT_EQ(first_op_ids(report), (std::vector<std::string>{"r1/o1", "r1/o2"}));
    EXPECT_EQ(report.anomalies_total, 5u);
    EXPECT_EQ(report.lost_updates, 5u);
    EXPECT_FALSE(report.clean());
}

TEST(CheckerReport, AnomalyLimitZero_KeepsNoneButStaysExact) {
    const CheckReport report = check_history(five_lost_updates(), CheckOptions{.anomaly_limit = 0});
    EXPECT_TRUE(report.anomalies.empty());
    EXPECT_EQ(report.anomalies_total, 5u);
    EXPECT_FALSE(report.clean());
}

TEST(CheckerReport, AcknowledgementCountsFollowTheOutcomes) {
    std::vector<OpRecord> ops{
        set_op("s", "r", "s", Fate::success), set_op("rs", "r", "rs", Fate::resolved),
        set_op("f", "r", "f", Fate::failed),  set_op("d", "r", "d", Fate::discarded),
        set_op("t", "r", "t", Fate::timeout), set_op("dl", "r", "dl", Fate::failed),
        set_op("ex", "r", "ex", Fate::failed)};
    ops[5].outcome.reason = engine::FailureReason::deadline_exceeded;    // indeterminate
    ops[6].outcome.reason = engine::FailureReason::exhausted_transient;  // indeterminate
    const History h = make_history(WorkloadKind::set_add, std::move(ops),
                                   {resource("r", chain({"s", "rs"}), items({"s", "rs"}))});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.ops_checked, 7u);
    EXPECT_EQ(report.acknowledged, 2u);
    EXPECT_EQ(report.rejected, 1u);
    EXPECT_EQ(report.discarded, 1u);
    EXPECT_EQ(report.indeterminate, 3u);
}

TEST(CheckerReport, AnomalyJsonShape) {
    const Anomaly a{"lost-update", "r", {"o1", "o2"}, {"e1", "e2"}, "why"};
    EXPECT_EQ(to_json(a), json::parse(R"({"kind": "lost-update", "resource_id": "r",
        "op_ids": ["o1", "o2"], "versions": ["e1", "e2"], "detail": "why"})"));
}

TEST(CheckerReport, ReportJsonShape) {
    const History h =
        make_history(WorkloadKind::set_add,
                     {set_op("o1", "r", "a", Fate::success), set_op("o2", "r", "b", Fate::timeout)},
                     {resource("r", chain({"o1"}), items({}))});
    const json j = to_json(check_history(h));
    EXPECT_EQ(j, json::parse(R"json({
        "clean": false, "ops_checked": 2, "acknowledged": 1, "rejected": 0, "discarded": 0,
        "indeterminate": 1, "lost_updates": 1, "phantom_writes": 0, "linearity_violations": 0,
        "wrong_discards": 0, "unknown_ops": 0, "server_writes": 1, "server_writes_dropped": 0,
        "excused_by_deletion": 0, "excused_by_foreign": 0, "fields_checked": 0,
        "fields_final_newest": 0, "anomalies_total": 1,
        "anomalies": [{"kind": "lost-update", "resource_id": "r", "op_ids": ["o1"],
                       "versions": ["e1"],
                       "detail": "element \"a\" of acknowledged op \"o1\" is missing (this op wrote version \"e1\"; final version \"e1\")"
}]
})json"));
}

TEST(CheckerReport, EmptyHistory_IsCleanWithZeroCounts) {
    const json j = to_json(check_history(History{}));
    EXPECT_EQ(j["clean"], true);
    EXPECT_EQ(j["ops_checked"], 0);
    EXPECT_EQ(j["anomalies"], json::array());
}

}  // namespace
}  // namespace conflictlab::harness::testing
