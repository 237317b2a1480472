// Backoff: exact sequences with stubbed randomness, the cap, reset(), no
// overflow at extreme attempt counts, and jitter bounds over many samples.
#include "conflictlab/engine/backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "script.hpp"

namespace conflictlab::engine {
namespace {

using testing::StubRandom;

std::vector<std::int64_t> take(Backoff& b, RandomSource& r, int n) {
    std::vector<std::int64_t> out;
    for (int i = 0; i < n; ++i)
        out.push_back(b.next_delay(r).count());
    return out;
}

BackoffOptions opts(BackoffKind kind, std::int64_t base = 100, double multiplier = 2.0,
                    std::int64_t cap = 1000, double jitter = 0.0) {
    return BackoffOptions{kind, base, multiplier, cap, jitter};
}

TEST(Backoff, None_AlwaysZero) {
    StubRandom r;
    Backoff b(opts(BackoffKind::none));
    EXPECT_EQ(take(b, r, 3), (std::vector<std::int64_t>{0, 0, 0}));
    EXPECT_EQ(b.retries(), 3u);
}

TEST(Backoff, Constant_AlwaysBase) {
    StubRandom r;
    Backoff b(opts(BackoffKind::constant));
    EXPECT_EQ(take(b, r, 3), (std::vector<std::int64_t>{100, 100, 100}));
}

TEST(Backoff, Exponential_DoublesUpToTheCap) {
    StubRandom r;
    Backoff b(opts(BackoffKind::exponential));
    EXPECT_EQ(take(b, r, 6), (std::vector<std::int64_t>{100, 200, 400, 800, 1000, 1000}));
}

TEST(Backoff, Exponential_Multiplier) {
    StubRandom r;
    Backoff b(opts(BackoffKind::exponential, 10, 3.0, 10'000));
    EXPECT_EQ(take(b, r, 4), (std::vector<std::int64_t>{10, 30, 90, 270}));
}

// AWS "Exponential Backoff And Jitter": sleep = random_between(0, expo).
TEST(Backoff, FullJitter_UniformTimesExpo) {
    StubRandom r({0.5, 0.25, 0.0, 0.999});
    Backoff b(opts(BackoffKind::full_jitter));
    EXPECT_EQ(take(b, r, 4), (std::vector<std::int64_t>{50, 50, 0, 799}));
}

// sleep = expo/2 + random_between(0, expo/2).
TEST(Backoff, EqualJitter_HalfPlusUniformHalf) {
    StubRandom r({0.5, 0.0, 1.0});
    Backoff b(opts(BackoffKind::equal_jitter));
    EXPECT_EQ(take(b, r, 3), (std::vector<std::int64_t>{75, 100, 400}));
}

// sleep = min(cap, random_between(base, sleep * 3)), sleep starting at base.
TEST(Backoff, DecorrelatedJitter_ExactSequence) {
    StubRandom r({0.5});
    Backoff b(opts(BackoffKind::decorrelated_jitter));
    EXPECT_EQ(take(b, r, 6), (std::vector<std::int64_t>{200, 350, 575, 913, 1000, 1000}));
}

TEST(Backoff, DecorrelatedJitter_ExtremesOfTheUniform) {
    StubRandom low({0.0});
    Backoff b(opts(BackoffKind::decorrelated_jitter));
    EXPECT_EQ(take(b, low, 3), (std::vector<std::int64_t>{100, 100, 100}));
    StubRandom high({1.0});
    Backoff c(opts(BackoffKind::decorrelated_jitter));
    EXPECT_EQ(take(c, high, 3), (std::vector<std::int64_t>{300, 900, 1000}));
}

// client-go wait.Jitter: duration + rand * maxFactor * duration.
TEST(Backoff, KubernetesJitterFraction) {
    StubRandom r({0.0, 0.5, 1.0});
    Backoff b(opts(BackoffKind::exponential, 100, 1.0, 1000, 0.1));
    EXPECT_EQ(take(b, r, 3), (std::vector<std::int64_t>{100, 105, 110}));
}

TEST(Backoff, JitterFractionNeverExceedsTheCap) {
    StubRandom r({1.0});
    Backoff b(opts(BackoffKind::constant, 1000, 1.0, 1000, 0.5));
    EXPECT_EQ(b.next_delay(r).count(), 1000);
}

TEST(Backoff, ResetRestartsTheSequenceAndDecorrelatedState) {
    StubRandom r({0.5});
    Backoff e(opts(BackoffKind::exponential));
    take(e, r, 5);
    e.reset();
    EXPECT_EQ(e.retries(), 0u);
    EXPECT_EQ(take(e, r, 2), (std::vector<std::int64_t>{100, 200}));
    Backoff d(opts(BackoffKind::decorrelated_jitter));
    take(d, r, 4);
    d.reset();
    EXPECT_EQ(take(d, r, 2), (std::vector<std::int64_t>{200, 350}));
}

TEST(Backoff, NoOverflowAtExtremeAttemptCounts) {
    StubRandom r({0.999999});
    for (auto kind : {BackoffKind::exponential, BackoffKind::full_jitter, BackoffKind::equal_jitter,
                      BackoffKind::decorrelated_jitter}) {
        Backoff b(opts(kind, 86'400'000, 100.0, 86'400'000, 10.0));
        std::int64_t last = 0;
        for (int i = 0; i < 10'000; ++i) {
            last = b.next_delay(r).count();
            ASSERT_GE(last, 0) << backoff_kind_name(kind) << " attempt " << i;
            ASSERT_LE(last, 86'400'000) << backoff_kind_name(kind) << " attempt " << i;
        }
        EXPECT_GT(last, 80'000'000) << backoff_kind_name(kind);
    }
    Backoff small(opts(BackoffKind::exponential, 100, 2.0, 20'000));
    for (int i = 0; i < 9'999; ++i)
        small.next_delay(r);
    EXPECT_EQ(small.next_delay(r).count(), 20'000);  // attempt 10000
}

TEST(Backoff, ZeroBaseStaysZero) {
    StubRandom r;
    Backoff b(opts(BackoffKind::exponential, 0, 2.0, 1000));
    for (int i = 0; i < 2000; ++i)
        ASSERT_EQ(b.next_delay(r).count(), 0);
}

TEST(Backoff, JitterBoundsOverManySamples) {
    Xoshiro256 rng(42);
    const int kSamples = 20'000;
    auto sample = [&](BackoffOptions o, int retry_index, auto check) {
        std::int64_t lo = INT64_MAX;
        std::int64_t hi = INT64_MIN;
        double sum = 0;
        for (int i = 0; i < kSamples; ++i) {
            Backoff b(o);
            for (int k = 0; k < retry_index; ++k)
                b.next_delay(rng);
            auto d = b.next_delay(rng).count();
            lo = std::min(lo, d);
            hi = std::max(hi, d);
            sum += static_cast<double>(d);
        }
        check(lo, hi, sum / kSamples);
    };
    // retry index 3: expo = 800.
    sample(opts(BackoffKind::full_jitter), 3, [](auto lo, auto hi, double mean) {
        EXPECT_GE(lo, 0);
        EXPECT_LE(hi, 800);
        EXPECT_LT(lo, 20);
        EXPECT_GT(hi, 780);
        EXPECT_NEAR(mean, 400, 15);
    });
    sample(opts(BackoffKind::equal_jitter), 3, [](auto lo, auto hi, double mean) {
        EXPECT_GE(lo, 400);
        EXPECT_LE(hi, 800);
        EXPECT_NEAR(mean, 600, 10);
    });
    sample(opts(BackoffKind::decorrelated_jitter), 3, [](auto lo, auto hi, double) {
        EXPECT_GE(lo, 100);
        EXPECT_LE(hi, 1000);
    });
    sample(opts(BackoffKind::exponential, 10, 1.0, 1000, 0.1), 0, [](auto lo, auto hi, double) {
        EXPECT_GE(lo, 10);
        EXPECT_LE(hi, 11);
    });
}

TEST(BackoffPresets, AwsStandard) {
    auto p = find_backoff_preset("aws-standard");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->options, (BackoffOptions{BackoffKind::full_jitter, 100, 2.0, 20'000, 0.0}));
    EXPECT_EQ(p->max_attempts, 3);
}

TEST(BackoffPresets, K8sClientGoDefaultRetry) {
    auto p = find_backoff_preset("k8s-client-go");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->options.base_ms, 10);
    EXPECT_EQ(p->options.multiplier, 1.0);
    EXPECT_EQ(p->options.jitter, 0.1);
    EXPECT_EQ(p->max_attempts, 5);
    EXPECT_FALSE(find_backoff_preset("fast"));
}

TEST(BackoffKindNames, RoundTrip) {
    for (auto k :
         {BackoffKind::none, BackoffKind::constant, BackoffKind::exponential,
          BackoffKind::full_jitter, BackoffKind::equal_jitter, BackoffKind::decorrelated_jitter}) {
        EXPECT_EQ(parse_backoff_kind(backoff_kind_name(k)), k);
    }
    EXPECT_EQ(backoff_kind_name(BackoffKind::decorrelated_jitter), "decorrelated-jitter");
    EXPECT_FALSE(parse_backoff_kind("Full-Jitter"));
}

}  // namespace
}  // namespace conflictlab::engine
