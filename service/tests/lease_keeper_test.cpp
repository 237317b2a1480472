// LeaseKeeper against the in-memory store on a fake clock: ownership,
// rebalancing on join and leave, expiry of a dead owner, and fencing (an
// instance that lost its lease cannot commit).
#include <gtest/gtest.h>

#include <set>

#include "conflictlab/service/lease_keeper.hpp"
#include "conflictlab/service/rebalance.hpp"
#include "fake_queue_store.hpp"

namespace conflictlab::service {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::FakeQueueStore;

constexpr std::uint32_t kP = 8;
const LeaseKeeper::Outstanding kIdle = [](std::uint32_t) { return std::size_t{0}; };

LeaseKeeperOptions opts(std::string instance) {
    LeaseKeeperOptions o;
    o.instance = std::move(instance);
    o.partitions = kP;
    o.lease_ttl = 3'000ms;
    o.drain_max = 5'000ms;
    return o;
}

std::set<std::uint32_t> held_by(const LeaseKeeper& k) {
    std::set<std::uint32_t> out;
    for (std::uint32_t p = 0; p < kP; ++p) {
        if (k.token(p))
            out.insert(p);
    }
    return out;
}

TEST(LeaseKeeper, AloneItAcquiresEveryPartitionWithATokenEach) {
    FakeClock clock;
    FakeQueueStore store(clock);
    LeaseKeeper a(store, opts("a"));
    const auto c = a.tick(clock.now(), kIdle);
    EXPECT_EQ(c.acquired.size(), kP);
    EXPECT_EQ(a.held(), kP);
    for (std::uint32_t p = 0; p < kP; ++p) {
        EXPECT_EQ(store.owner(p), "a");
        EXPECT_GT(*a.token(p), 0u);
    }
    // Steady state: renewals only.
    clock.advance(1'000ms);
    const auto again = a.tick(clock.now(), kIdle);
    EXPECT_TRUE(again.acquired.empty() && again.lost.empty() && again.released.empty());
}

TEST(LeaseKeeper, JoinRebalances_NeverTwoOwnersAtOnce_TokensGrow) {
    FakeClock clock;
    FakeQueueStore store(clock);
    LeaseKeeper a(store, opts("a"));
    LeaseKeeper b(store, opts("b"));
    a.tick(clock.now(), kIdle);
    std::map<std::uint32_t, std::uint64_t> a_tokens;
    for (std::uint32_t p = 0; p < kP; ++p)
        a_tokens[p] = *a.token(p);

    // b joins: its partitions are still a's, so it gets none yet.
    const auto b1 = b.tick(clock.now(), kIdle);
    EXPECT_TRUE(b1.acquired.empty());
    const auto planned_b = planned_partitions({"a", "b"}, kP, "b");
    ASSERT_FALSE(planned_b.empty());

    // a sees b, drains b's partitions (nothing outstanding) and releases them.
    clock.advance(1'000ms);
    const auto a2 = a.tick(clock.now(), kIdle);
    EXPECT_EQ(a2.released, planned_b);
    // b takes them over, with tokens above a's.
    const auto b2 = b.tick(clock.now(), kIdle);
    ASSERT_EQ(b2.acquired.size(), planned_b.size());
    for (const auto& [p, token] : b2.acquired)
        EXPECT_GT(token, a_tokens[p]) << "fencing tokens must grow across owners";
    const auto ha = held_by(a);
    const auto hb = held_by(b);
    for (auto p : hb)
        EXPECT_FALSE(ha.contains(p)) << "partition " << p << " owned twice";
    EXPECT_EQ(ha.size() + hb.size(), kP);
}

TEST(LeaseKeeper, DrainingWaitsForOutstandingWork_UpToDrainMax) {
    FakeClock clock;
    FakeQueueStore store(clock);
    LeaseKeeper a(store, opts("a"));
    LeaseKeeper b(store, opts("b"));
    a.tick(clock.now(), kIdle);
    b.tick(clock.now(), kIdle);
    const auto busy = [](std::uint32_t) { return std::size_t{3}; };
    const auto d = a.tick(clock.now(), busy);
    EXPECT_FALSE(d.draining.empty());
    EXPECT_TRUE(d.released.empty()) << "work in flight: keep the lease";
    for (auto p : d.draining) {
        EXPECT_TRUE(a.is_draining(p));
        for (const auto& [rp, token] : a.readable())
            EXPECT_NE(rp, p) << "a draining partition is not read";
    }
    for (int s = 1; s < 5; ++s) {  // ticks every second, renewing the lease
        clock.advance(1'000ms);
        EXPECT_TRUE(a.tick(clock.now(), busy).released.empty()) << s << " s";
        b.tick(clock.now(), kIdle);
    }
    clock.advance(1'000ms);  // drain_max (5 s) reached
    EXPECT_EQ(a.tick(clock.now(), busy).released, d.draining);
}

TEST(LeaseKeeper, DeadOwnerExpires_NextOwnerTakesOver_ZombieIsFenced) {
    FakeClock clock;
    FakeQueueStore store(clock);
    LeaseKeeper a(store, opts("a"));
    LeaseKeeper b(store, opts("b"));
    a.tick(clock.now(), kIdle);
    b.tick(clock.now(), kIdle);
    clock.advance(1'000ms);
    a.tick(clock.now(), kIdle);  // releases b's share
    b.tick(clock.now(), kIdle);
    const std::uint32_t p = *held_by(a).begin();
    const std::uint64_t stale = *a.token(p);

    // a stops ticking (kill -9 or a long pause). Before its lease runs out
    // b cannot take a's partitions.
    clock.advance(2'000ms);
    EXPECT_TRUE(b.tick(clock.now(), kIdle).acquired.empty());
    clock.advance(1'500ms);  // a's membership and leases expired
    const auto taken = b.tick(clock.now(), kIdle);
    EXPECT_EQ(b.held(), kP);
    EXPECT_FALSE(taken.acquired.empty());

    // The zombie's commit under its old token is refused...
    QueueCommit c;
    c.partition = p;
    c.token = stale;
    c.entry_id = "1-0";
    c.correlation_id = "c-1";
    c.kind = "success";
    EXPECT_EQ(store.commit("a", {c}), std::vector<bool>{false});
    // ...and when it wakes up its renewals are refused: it learns it lost them.
    const auto woke = a.tick(clock.now(), kIdle);
    EXPECT_FALSE(woke.lost.empty());
    EXPECT_FALSE(a.token(p));
    // The new owner's commit goes through.
    c.token = *b.token(p);
    EXPECT_EQ(store.commit("b", {c}), std::vector<bool>{true});
}

TEST(LeaseKeeper, LeaveReleasesAtOnce) {
    FakeClock clock;
    FakeQueueStore store(clock);
    LeaseKeeper a(store, opts("a"));
    LeaseKeeper b(store, opts("b"));
    a.tick(clock.now(), kIdle);
    b.tick(clock.now(), kIdle);
    a.leave();
    EXPECT_EQ(a.held(), 0u);
    // No expiry wait: b owns everything at its next tick.
    b.tick(clock.now(), kIdle);
    EXPECT_EQ(b.held(), kP);
}

TEST(LeaseKeeper, RejectsBadOptions) {
    FakeClock clock;
    FakeQueueStore store(clock);
    EXPECT_THROW(LeaseKeeper(store, opts("")), std::invalid_argument);
    EXPECT_THROW(LeaseKeeper(store, opts("a|b")), std::invalid_argument);
    auto o = opts("a");
    o.partitions = 0;
    EXPECT_THROW(LeaseKeeper(store, o), std::invalid_argument);
}

}  // namespace
}  // namespace conflictlab::service
