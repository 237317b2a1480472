#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "conflictlab/service/rebalance.hpp"

namespace conflictlab::service {
namespace {

constexpr std::uint32_t kP = 64;

std::vector<std::string> owners(const std::vector<std::string>& members) {
    std::vector<std::string> out;
    for (std::uint32_t p = 0; p < kP; ++p)
        out.push_back(planned_owner(members, p));
    return out;
}

TEST(RebalancePlan, NoMembersNoOwner) {
    EXPECT_EQ(planned_owner({}, 3), "");
    EXPECT_TRUE(planned_partitions({}, kP, "a").empty());
}

TEST(RebalancePlan, EveryPartitionHasExactlyOneOwner) {
    const std::vector<std::string> m = {"a", "b", "c"};
    std::multiset<std::uint32_t> seen;
    for (const auto& me : m) {
        for (auto p : planned_partitions(m, kP, me))
            seen.insert(p);
    }
    ASSERT_EQ(seen.size(), kP);
    for (std::uint32_t p = 0; p < kP; ++p)
        EXPECT_EQ(seen.count(p), 1u) << p;
    for (const auto& me : m) {
        EXPECT_GT(planned_partitions(m, kP, me).size(), kP / 6) << me << " gets a fair share";
    }
}

TEST(RebalancePlan, SameAnswerWhateverTheMemberOrder) {
    EXPECT_EQ(owners({"a", "b", "c"}), owners({"c", "a", "b"}));
}

TEST(RebalancePlan, JoinMovesOnlyPartitionsToTheNewcomer) {
    const auto before = owners({"a", "b"});
    const auto after = owners({"a", "b", "c"});
    int moved = 0;
    for (std::uint32_t p = 0; p < kP; ++p) {
        if (before[p] != after[p]) {
            EXPECT_EQ(after[p], "c") << "partition " << p << " moved between old members";
            ++moved;
        }
    }
    EXPECT_GT(moved, 0);
    EXPECT_LT(moved, static_cast<int>(kP) / 2);
}

TEST(RebalancePlan, LeaveMovesOnlyTheLeaversPartitions) {
    const auto before = owners({"a", "b", "c"});
    const auto after = owners({"a", "c"});
    for (std::uint32_t p = 0; p < kP; ++p) {
        if (before[p] != "b")
            EXPECT_EQ(after[p], before[p]) << "partition " << p;
        else
            EXPECT_NE(after[p], "b");
    }
}

}  // namespace
}  // namespace conflictlab::service
