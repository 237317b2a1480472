#include <gtest/gtest.h>

#include "conflictlab/service/resource_scheduler.hpp"

namespace conflictlab::service {
namespace {

Job job(std::int64_t seq, std::string resource) {
    Job j;
    j.seq = seq;
    j.resource_id = std::move(resource);
    j.correlation_id = "c-" + std::to_string(seq);
    return j;
}

TEST(ResourceScheduler, OneResource_OneAtATimeInArrivalOrder) {
    ResourceScheduler s(8);
    s.push(job(1, "a"));
    s.push(job(2, "a"));
    s.push(job(3, "a"));
    auto first = s.next();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->seq, 1);
    EXPECT_FALSE(s.next()) << "a second event of a running resource must wait";
    s.complete("a");
    EXPECT_EQ(s.next()->seq, 2);
    s.complete("a");
    EXPECT_EQ(s.next()->seq, 3);
    s.complete("a");
    EXPECT_FALSE(s.next());
    EXPECT_EQ(s.lanes(), 0u);
}

TEST(ResourceScheduler, DifferentResources_RunConcurrentlyUpToTheBound) {
    ResourceScheduler s(2);
    s.push(job(1, "a"));
    s.push(job(2, "b"));
    s.push(job(3, "c"));
    EXPECT_EQ(s.next()->resource_id, "a");
    EXPECT_EQ(s.next()->resource_id, "b");
    EXPECT_FALSE(s.next()) << "bound of 2 active resources";
    EXPECT_EQ(s.running(), 2u);
    EXPECT_EQ(s.queued(), 1u);
    s.complete("b");
    EXPECT_EQ(s.next()->resource_id, "c");
}

TEST(ResourceScheduler, HotResource_DoesNotStarveOthers) {
    ResourceScheduler s(1);
    for (int i = 0; i < 3; ++i)
        s.push(job(i, "hot"));
    s.push(job(10, "cold"));
    EXPECT_EQ(s.next()->resource_id, "hot");
    s.complete("hot");
    EXPECT_EQ(s.next()->resource_id, "cold") << "the hot lane goes to the back of the line";
    s.complete("cold");
    EXPECT_EQ(s.next()->seq, 1);
}

TEST(ResourceScheduler, PushWhileRunning_WaitsForComplete) {
    ResourceScheduler s(4);
    s.push(job(1, "a"));
    EXPECT_EQ(s.next()->seq, 1);
    s.push(job(2, "a"));
    EXPECT_FALSE(s.next());
    EXPECT_TRUE(s.is_running("a"));
    s.complete("a");
    EXPECT_EQ(s.next()->seq, 2);
}

TEST(ResourceScheduler, CompleteOfANonRunningResource_IsALogicError) {
    ResourceScheduler s(1);
    EXPECT_THROW(s.complete("a"), std::logic_error);
    s.push(job(1, "a"));
    EXPECT_THROW(s.complete("a"), std::logic_error);
}

TEST(ResourceScheduler, ZeroBound_IsRejected) {
    EXPECT_THROW(ResourceScheduler(0), std::invalid_argument);
}

}  // namespace
}  // namespace conflictlab::service
