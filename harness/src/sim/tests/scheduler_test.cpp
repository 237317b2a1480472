// The discrete-event scheduler and the virtual clock: time order, ties in
// scheduling order, the clock moving only on pop(), bounds.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "conflictlab/common/http_date.hpp"
#include "conflictlab/harness/sim/scheduler.hpp"

namespace conflictlab::harness::sim {
namespace {

TEST(Scheduler, PopsEarliestFirstAndTheClockFollows) {
    VirtualClock clock;
    Scheduler s(clock);
    s.at(300, {1, 0, 0});
    s.at(100, {2, 0, 0});
    s.at(200, {3, 0, 0});
    EXPECT_EQ(clock.now_ns(), 0);  // scheduling never moves time
    std::vector<std::uint32_t> kinds;
    std::vector<std::int64_t> times;
    while (auto e = s.pop()) {
        kinds.push_back(e->kind);
        times.push_back(clock.now_ns());
    }
    EXPECT_EQ(kinds, (std::vector<std::uint32_t>{2, 3, 1}));
    EXPECT_EQ(times, (std::vector<std::int64_t>{100, 200, 300}));
    EXPECT_EQ(s.processed(), 3u);
}

TEST(Scheduler, SameInstantComesOutInSchedulingOrder) {
    VirtualClock clock;
    Scheduler s(clock);
    for (std::uint32_t i = 0; i < 100; ++i)
        s.at(50, {0, i, 0});
    for (std::uint32_t i = 0; i < 100; ++i) {
        auto e = s.pop();
        ASSERT_TRUE(e);
        EXPECT_EQ(e->actor, i);
    }
}

TEST(Scheduler, AfterIsRelativeToNowAndThePastMeansNow) {
    VirtualClock clock;
    Scheduler s(clock);
    s.at(1'000, {1, 0, 0});
    ASSERT_TRUE(s.pop());
    s.after(500, {2, 0, 0});
    s.at(10, {3, 0, 0});      // in the past: runs now, after nothing earlier
    s.after(-50, {4, 0, 0});  // negative delay: now
    auto a = s.pop();
    EXPECT_EQ(a->kind, 3u);
    EXPECT_EQ(clock.now_ns(), 1'000);
    auto b = s.pop();
    EXPECT_EQ(b->kind, 4u);
    auto c = s.pop();
    EXPECT_EQ(c->kind, 2u);
    EXPECT_EQ(clock.now_ns(), 1'500);
}

TEST(Scheduler, EmptyPopLeavesTheClockAlone) {
    VirtualClock clock;
    Scheduler s(clock);
    s.at(42, {1, 0, 0});
    ASSERT_TRUE(s.pop());
    EXPECT_FALSE(s.pop());
    EXPECT_EQ(clock.now_ns(), 42);
}

TEST(Scheduler, PendingEventsAreBounded) {
    VirtualClock clock;
    Scheduler s(clock, SchedulerOptions{3});
    s.at(1, {});
    s.at(2, {});
    s.at(3, {});
    EXPECT_THROW(s.at(4, {}), std::length_error);
    EXPECT_EQ(s.pending(), 3u);
    EXPECT_EQ(s.peak_pending(), 3u);
    ASSERT_TRUE(s.pop());
    EXPECT_NO_THROW(s.at(4, {}));
}

TEST(Scheduler, EventsKeepTheirPayload) {
    VirtualClock clock;
    Scheduler s(clock);
    const Event e{7, 123456, 0xfeedfacecafebeefull};
    s.after(5, e);
    EXPECT_EQ(*s.pop(), e);
}

TEST(VirtualClock, NeverGoesBackwards) {
    VirtualClock clock;
    clock.advance_to(10);
    EXPECT_THROW(clock.advance_to(9), std::logic_error);
    EXPECT_EQ(clock.now_ns(), 10);
    clock.advance_to(10);  // equal is fine
    EXPECT_EQ(clock.steady_now().time_since_epoch(), std::chrono::nanoseconds(10));
}

TEST(VirtualClock, WallTimeStartsAtAFixedInstant) {
    VirtualClock clock;
    EXPECT_EQ(format_rfc3339(clock.wall_now()), "2026-01-01T00:00:00.000Z");
    clock.advance_to(1'500'000'000);
    EXPECT_EQ(format_rfc3339(clock.wall_now()), "2026-01-01T00:00:01.500Z");
}

}  // namespace
}  // namespace conflictlab::harness::sim
