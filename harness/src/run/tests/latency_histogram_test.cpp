#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "conflictlab/harness/metrics.hpp"

namespace conflictlab::harness {
namespace {

TEST(LatencyHistogram, SmallValuesAreExact) {
    LatencyHistogram h;
    for (int v = 0; v < 256; ++v)
        EXPECT_EQ(LatencyHistogram::bucket_of(v), static_cast<std::size_t>(v));
    h.record_ns(100);
    EXPECT_EQ(h.quantile_ns(0.5), 100);
}

TEST(LatencyHistogram, BucketsKeepWithinOnePercent) {
    for (std::int64_t v :
         {300LL, 1'000LL, 12'345LL, 1'000'000LL, 987'654'321LL, 3'000'000'000'000LL}) {
        const auto b = LatencyHistogram::bucket_of(v);
        const std::int64_t high = LatencyHistogram::bucket_high_ns(b);
        EXPECT_GE(high, v);
        EXPECT_LE(static_cast<double>(high - v), 0.01 * static_cast<double>(v)) << v;
        EXPECT_EQ(LatencyHistogram::bucket_of(high), b);
        EXPECT_EQ(LatencyHistogram::bucket_of(high + 1), b + 1);
    }
}

TEST(LatencyHistogram, HugeValuesAreClampedButMaxIsExact) {
    LatencyHistogram h;
    const std::int64_t huge = std::int64_t{1} << 50;
    h.record_ns(huge);
    EXPECT_EQ(LatencyHistogram::bucket_of(huge), LatencyHistogram::kBucketCount - 1);
    EXPECT_EQ(h.max_ns(), huge);
    EXPECT_EQ(h.quantile_ns(1.0),
              LatencyHistogram::bucket_high_ns(LatencyHistogram::kBucketCount - 1));
}

TEST(LatencyHistogram, QuantilesOfAUniformRange) {
    LatencyHistogram h;
    for (int ms = 1; ms <= 1000; ++ms)
        h.record_ns(static_cast<std::int64_t>(ms) * 1'000'000);
    EXPECT_EQ(h.count(), 1000u);
    EXPECT_NEAR(static_cast<double>(h.quantile_ns(0.5)), 500e6, 500e6 * 0.01);
    EXPECT_NEAR(static_cast<double>(h.quantile_ns(0.99)), 990e6, 990e6 * 0.01);
    EXPECT_NEAR(static_cast<double>(h.quantile_ns(0.999)), 999e6, 999e6 * 0.01);
    EXPECT_EQ(h.quantile_ns(1.0), 1000'000'000);
    EXPECT_NEAR(h.mean_ns(), 500.5e6, 1);
    EXPECT_EQ(h.min_ns(), 1'000'000);
}

TEST(LatencyHistogram, MergeAddsCounts) {
    LatencyHistogram a, b;
    a.record_ns(1'000);
    b.record_ns(5'000'000);
    b.record_ns(7'000'000);
    a.merge(b);
    EXPECT_EQ(a.count(), 3u);
    EXPECT_EQ(a.max_ns(), 7'000'000);
    EXPECT_EQ(a.min_ns(), 1'000);
    EXPECT_NEAR(static_cast<double>(a.quantile_ns(0.5)), 5e6, 5e4);
}

TEST(LatencyHistogram, EmptyReportsZero) {
    const LatencyHistogram h;
    EXPECT_EQ(h.quantile_ns(0.99), 0);
    const LatencySummary s = summarize(h);
    EXPECT_EQ(s.count, 0u);
    EXPECT_EQ(s.p99_ms, 0.0);
}

TEST(ShardedHistogram, ConcurrentRecordsAreAllCounted) {
    ShardedHistogram h(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&h, t] {
            for (int i = 0; i < 10000; ++i)
                h.record_ns(1000 * (t + 1));
        });
    }
    for (auto& t : threads)
        t.join();
    const LatencyHistogram s = h.snapshot();
    EXPECT_EQ(s.count(), 40000u);
    EXPECT_EQ(s.max_ns(), 4000);
    EXPECT_EQ(s.min_ns(), 1000);
}

}  // namespace
}  // namespace conflictlab::harness
