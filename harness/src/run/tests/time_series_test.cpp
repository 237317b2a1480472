#include <gtest/gtest.h>

#include "conflictlab/harness/metrics.hpp"

namespace conflictlab::harness {
namespace {

TEST(TimeSeries, CompletionsLandInTheirSecond) {
    TimeSeriesRecorder r(10);
    r.record(0.2, true, false, 1);
    r.record(0.9, false, true, 0);
    r.record(2.5, true, false, 3);
    const TimeSeries s = r.snapshot(0);
    ASSERT_EQ(s.slots.size(), 3u);
    EXPECT_EQ(s.slots[0].completed, 2u);
    EXPECT_EQ(s.slots[0].acknowledged, 1u);
    EXPECT_EQ(s.slots[0].failed, 1u);
    EXPECT_EQ(s.slots[0].conflicts, 1u);
    EXPECT_EQ(s.slots[1].completed, 0u);
    EXPECT_EQ(s.slots[2].conflicts, 3u);
    EXPECT_FALSE(s.truncated);
}

TEST(TimeSeries, SnapshotCoversTheRequestedSpan) {
    TimeSeriesRecorder r(10);
    r.record(0.5, true, false, 0);
    EXPECT_EQ(r.snapshot(4.2).slots.size(), 5u);
}

TEST(TimeSeries, MemoryIsBoundedLateEventsFoldIntoTheLastSlot) {
    TimeSeriesRecorder r(3);
    r.record(100.0, true, false, 0);
    const TimeSeries s = r.snapshot(200);
    ASSERT_EQ(s.slots.size(), 3u);
    EXPECT_EQ(s.slots[2].completed, 1u);
    EXPECT_TRUE(s.truncated);
}

TEST(TimeSeries, JsonHasOneArrayPerCounter) {
    TimeSeriesRecorder r(5);
    r.record(1.1, true, false, 2);
    const auto j = to_json(r.snapshot(0));
    EXPECT_EQ(j["acknowledged"], nlohmann::json({0, 1}));
    EXPECT_EQ(j["conflicts"], nlohmann::json({0, 2}));
    EXPECT_EQ(j["slot_s"], 1.0);
}

}  // namespace
}  // namespace conflictlab::harness
