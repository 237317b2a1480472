// set-add and blind: acknowledged elements survive, rejected ones never
// appear, indeterminate and discarded ones are counted only.

#include <gtest/gtest.h>

#include "history_builder.hpp"

namespace conflictlab::harness::testing {
namespace {

History set_history(std::vector<OpRecord> ops, std::vector<ServerResource> resources,
                    WorkloadKind kind = WorkloadKind::set_add) {
    return make_history(kind, std::move(ops), std::move(resources));
}

TEST(CheckerSetAdd, AllAcknowledgedElementsPresent_IsClean) {
    const History h =
        set_history({set_op("o1", "r", "a", Fate::success), set_op("o2", "r", "b", Fate::resolved)},
                    {resource("r", chain({"o1", "o2"}), items({"a", "b"}))});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.acknowledged, 2u);
    EXPECT_EQ(report.server_writes, 2u);
    EXPECT_EQ(report.ops_checked, 2u);
}

TEST(CheckerSetAdd, AcknowledgedElementMissing_IsLostUpdateWithItsVersionAndTheFinal) {
    const History h =
        set_history({set_op("o1", "r", "a", Fate::success), set_op("o2", "r", "b", Fate::resolved)},
                    {resource("r", chain({"o1", "o2"}), items({"b"}))});
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.lost_updates, 1u);
    const Anomaly a = only_anomaly(report);
    EXPECT_EQ(a.kind, "lost-update");
    EXPECT_EQ(a.resource_id, "r");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o1"}));
    EXPECT_EQ(a.versions, (std::vector<std::string>{"e1", "e2"}));
    EXPECT_EQ(a.detail,
              "element \"a\" of acknowledged op \"o1\" is missing (this op wrote version \"e1\"; "
              "final version \"e2\")");
}

TEST(CheckerSetAdd, AcknowledgedOpTheServerNeverRecorded_MissingIsStillLost) {
    const History h = set_history({set_op("o1", "r", "a", Fate::success)},
                                  {resource("r", chain({"x"}, "v"), items({}))});
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.lost_updates, 1u);
    EXPECT_EQ(report.unknown_ops, 1u);  // "x" is nobody's op
    EXPECT_EQ(report.anomalies[0].kind, "lost-update");
    EXPECT_EQ(report.anomalies[0].versions, (std::vector<std::string>{"v1"}));
}

TEST(CheckerSetAdd, ResourceUnknownToTheServer_AcknowledgedElementsAreLost) {
    const History h = set_history({set_op("o1", "ghost", "a", Fate::success)}, {});
    const Anomaly a = only_anomaly(check_history(h));
    EXPECT_EQ(a.kind, "lost-update");
    EXPECT_EQ(a.resource_id, "ghost");
    EXPECT_TRUE(a.versions.empty());
}

TEST(CheckerSetAdd, FailedOpElementPresent_IsPhantomWrite) {
    const History h =
        set_history({set_op("o1", "r", "a", Fate::success), set_op("o2", "r", "b", Fate::failed)},
                    {resource("r", chain({"o1"}), items({"a", "b"}))});
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.phantom_writes, 1u);
    EXPECT_EQ(report.rejected, 1u);
    const Anomaly a = only_anomaly(report);
    EXPECT_EQ(a.kind, "phantom-write");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o2"}));
    EXPECT_EQ(a.versions, (std::vector<std::string>{"e1"}));
    EXPECT_EQ(a.detail,
              "element \"b\" of rejected op \"o2\" (failed: persistent-conflict) is in final "
              "version \"e1\"");
}

TEST(CheckerSetAdd, FailedOpElementAbsent_IsClean) {
    const History h =
        set_history({set_op("o1", "r", "a", Fate::success), set_op("o2", "r", "b", Fate::failed)},
                    {resource("r", chain({"o1"}), items({"a"}))});
    EXPECT_TRUE(check_history(h).clean());
}

TEST(CheckerSetAdd, IndeterminateElement_PresentOrAbsent_IsCountedNeverAnAnomaly) {
    const History h =
        set_history({set_op("o1", "r", "a", Fate::timeout), set_op("o2", "r", "b", Fate::timeout)},
                    {resource("r", chain({"o1"}), items({"a"}))});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.indeterminate, 2u);
    EXPECT_EQ(report.acknowledged, 0u);
}

TEST(CheckerSetAdd, DiscardedElement_PresentOrAbsent_IsCountedOnly) {
    const History h = set_history(
        {set_op("o1", "r", "a", Fate::discarded), set_op("o2", "r", "b", Fate::discarded)},
        {resource("r", chain({"o1"}), items({"a"}))});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.discarded, 2u);
}

TEST(CheckerBlind, ElementOverwrittenByABlindWrite_IsReportedAsLostUpdate) {
    // o2 wrote its stale view ["b"] over ["a"]: a lost update the checker
    // must see, or the CI gate "blind loses updates" proves nothing.
    History h = set_history(
        {set_op("o1", "r", "a", Fate::success), set_op("o2", "r", "b", Fate::success)},
        {resource("r", {blind_write(1, "e1", "", "o1"), blind_write(2, "e2", "e1", "o2")},
                  items({"b"}))},
        WorkloadKind::blind);
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.lost_updates, 1u);
    EXPECT_EQ(report.linearity_violations, 0u);
    const Anomaly a = only_anomaly(report);
    EXPECT_EQ(a.kind, "lost-update");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o1"}));
}

TEST(CheckerSetAdd, ElementWrittenBeforeADeletion_IsExcusedNotLost) {
    std::vector<ServerWrite> writes = chain({"o1"});
    writes.push_back(write(2, "", "e1", ""));    // deletion fault
    writes.push_back(write(3, "e3", "", "o2"));  // re-creation
    const History h =
        set_history({set_op("o1", "r", "a", Fate::success), set_op("o2", "r", "b", Fate::success)},
                    {resource("r", writes, items({"b"}))});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.excused_by_deletion, 1u);
}

TEST(CheckerSetAdd, ElementWrittenAfterARecreation_MissingIsLost) {
    std::vector<ServerWrite> writes = chain({"o1"});
    writes.push_back(write(2, "", "e1", ""));
    writes.push_back(write(3, "e3", "", "o2"));
    const History h =
        set_history({set_op("o1", "r", "a", Fate::success), set_op("o2", "r", "b", Fate::success)},
                    {resource("r", writes, items({}))});
    const Anomaly a = only_anomaly(check_history(h));
    EXPECT_EQ(a.kind, "lost-update");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o2"}));
}

TEST(CheckerSetAdd, ResourceDeletedAtTheEnd_EveryElementExcused) {
    std::vector<ServerWrite> writes = chain({"o1"});
    writes.push_back(write(2, "", "e1", ""));
    ServerResource r = resource("r", writes, nullptr);
    r.final_body.reset();
    r.deleted = true;
    const History h = set_history({set_op("o1", "r", "a", Fate::success)}, {r});
    const CheckReport report = check_history(h);
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.excused_by_deletion, 1u);
}

TEST(CheckerValidation, EmptyOpId_IsRejectedNamingTheOp) {
    const History h = set_history({set_op("", "r", "a", Fate::success)}, {});
    EXPECT_EQ(check_error(h), "ops[0].op_id: empty (every operation needs a unique id)");
}

TEST(CheckerValidation, DuplicateOpId_IsRejectedNamingBothOps) {
    const History h = set_history(
        {set_op("o1", "r", "a", Fate::success), set_op("o1", "r", "b", Fate::success)}, {});
    EXPECT_EQ(check_error(h), "ops[1].op_id: duplicate \"o1\" (also ops[0])");
}

TEST(CheckerValidation, EmptyResourceId_IsRejected) {
    const History h = set_history({set_op("o1", "", "a", Fate::success)}, {});
    EXPECT_EQ(check_error(h), "ops[0].resource_id: empty for op \"o1\"");
}

TEST(CheckerValidation, SetAddOpWithoutElement_IsRejected) {
    const History h = set_history({set_op("o1", "r", "", Fate::success)}, {});
    EXPECT_EQ(check_error(h),
              "ops[0].intent.element: empty for set-add op \"o1\" (each op adds one unique "
              "element)");
}

TEST(CheckerValidation, SameElementAddedTwiceOnAResource_IsRejected) {
    const History h =
        set_history({set_op("o1", "r", "a", Fate::success), set_op("o2", "r", "a", Fate::failed)},
                    {resource("r", chain({"o1"}), items({"a"}))});
    EXPECT_EQ(check_error(h),
              "ops[1].intent.element: duplicate \"a\" on resource \"r\" (also ops[0])");
}

}  // namespace
}  // namespace conflictlab::harness::testing
