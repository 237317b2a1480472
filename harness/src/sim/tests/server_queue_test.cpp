// The simulated server's queueing rules: per-resource write serialisation
// (a row lock), reads never held up, an optional concurrency limit (FIFO).
#include <gtest/gtest.h>

#include <stdexcept>

#include "conflictlab/harness/sim/server_queue.hpp"

namespace conflictlab::harness::sim {
namespace {

using Ids = std::vector<std::uint64_t>;

TEST(ServerQueue, UnlimitedServesEveryReadAtOnce) {
    ServerQueue q(0, true);
    for (std::uint64_t id = 0; id < 5; ++id)
        EXPECT_EQ(q.arrive(id, "/resources/a", false), Ids{id});
    EXPECT_EQ(q.in_service(), 5);
}

TEST(ServerQueue, WritesToOneResourceAreServedOneAtATimeInArrivalOrder) {
    ServerQueue q(0, true);
    EXPECT_EQ(q.arrive(1, "/resources/a", true), Ids{1});
    EXPECT_EQ(q.arrive(2, "/resources/a", true), Ids{});
    EXPECT_EQ(q.arrive(3, "/resources/a", true), Ids{});
    EXPECT_EQ(q.arrive(4, "/resources/b", true), Ids{4});   // another resource: parallel
    EXPECT_EQ(q.arrive(5, "/resources/a", false), Ids{5});  // reads are never held
    EXPECT_EQ(q.finish(1), Ids{2});
    EXPECT_EQ(q.finish(2), Ids{3});
    EXPECT_EQ(q.finish(3), Ids{});
    EXPECT_EQ(q.locked_resources(), 1u);  // b still
    EXPECT_EQ(q.finish(4), Ids{});
    EXPECT_EQ(q.locked_resources(), 0u);  // idle resources leave no state
}

TEST(ServerQueue, WithoutSerialisationWritesOverlap) {
    ServerQueue q(0, false);
    EXPECT_EQ(q.arrive(1, "/resources/a", true), Ids{1});
    EXPECT_EQ(q.arrive(2, "/resources/a", true), Ids{2});
}

TEST(ServerQueue, ConcurrencyLimitQueuesFifo) {
    ServerQueue q(2, true);
    EXPECT_EQ(q.arrive(1, "/resources/a", false), Ids{1});
    EXPECT_EQ(q.arrive(2, "/resources/b", false), Ids{2});
    EXPECT_EQ(q.arrive(3, "/resources/c", false), Ids{});
    EXPECT_EQ(q.arrive(4, "/resources/d", false), Ids{});
    EXPECT_EQ(q.waiting_for_slot(), 2u);
    EXPECT_EQ(q.finish(2), Ids{3});
    EXPECT_EQ(q.finish(1), Ids{4});
    EXPECT_EQ(q.in_service(), 2);
}

TEST(ServerQueue, AWriteWaitingForItsLockHoldsItsSlot) {
    // Like a worker thread blocked on a row lock: the slot stays taken.
    ServerQueue q(2, true);
    EXPECT_EQ(q.arrive(1, "/resources/a", true), Ids{1});
    EXPECT_EQ(q.arrive(2, "/resources/a", true), Ids{});   // slot 2, waits for the lock
    EXPECT_EQ(q.arrive(3, "/resources/b", false), Ids{});  // no slot left
    // 1 finishes: the lock goes to 2, the freed slot to 3.
    EXPECT_EQ(q.finish(1), (Ids{2, 3}));
}

TEST(ServerQueue, MisuseIsALogicError) {
    ServerQueue q(0, true);
    EXPECT_THROW(q.finish(9), std::logic_error);
    EXPECT_EQ(q.arrive(1, "/resources/a", true), Ids{1});
    EXPECT_EQ(q.arrive(2, "/resources/a", true), Ids{});
    EXPECT_THROW(q.finish(2), std::logic_error);                        // waiting, not in service
    EXPECT_THROW(q.arrive(1, "/resources/a", true), std::logic_error);  // duplicate id
}

}  // namespace
}  // namespace conflictlab::harness::sim
