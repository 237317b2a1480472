// SeededRandom: the portable generator behind every fault decision.

#include <gtest/gtest.h>

#include <cmath>

#include "conflictlab/mock/faults/seeded_random.hpp"

namespace conflictlab::mock {
namespace {

// C++ [rand.predef]: the 10000th output of a default-constructed
// mt19937_64 (seed 5489) is 9981545732273789042. Pins the engine choice, on
// which every recorded seed depends.
TEST(SeededRandom, IsTheStandardMt19937_64) {
    SeededRandom r(5489);
    std::uint64_t v = 0;
    for (int i = 0; i < 10000; ++i) {
        v = r.next_u64();
    }
    EXPECT_EQ(v, 9981545732273789042u);
}

TEST(SeededRandom, UnitIntervalUsesTheTop53Bits) {
    EXPECT_EQ(unit_interval_from_bits(0), 0.0);
    EXPECT_EQ(unit_interval_from_bits(std::uint64_t{1} << 11), std::ldexp(1.0, -53));
    EXPECT_EQ(unit_interval_from_bits((std::uint64_t{1} << 11) - 1), 0.0);  // low bits ignored
    EXPECT_EQ(unit_interval_from_bits(~std::uint64_t{0}), 1.0 - std::ldexp(1.0, -53));
    EXPECT_EQ(unit_interval_from_bits(std::uint64_t{1} << 63), 0.5);
}

TEST(SeededRandom, ReseedRestartsTheSequence) {
    SeededRandom a(1);
    const double first = a.uniform01();
    a.uniform01();
    a.reseed(1);
    EXPECT_EQ(a.uniform01(), first);
}

TEST(SeededRandom, UniformStaysInItsRangeWithTheRightMean) {
    SeededRandom r(3);
    double sum = 0;
    constexpr int n = 100000;
    for (int i = 0; i < n; ++i) {
        const double u = r.uniform(10, 20);
        ASSERT_GE(u, 10);
        ASSERT_LT(u, 20);
        sum += u;
    }
    EXPECT_NEAR(sum / n, 15, 0.05);  // stddev of the mean: 2.89/sqrt(n) = 0.009
}

TEST(SeededRandom, StandardNormalHasMeanZeroAndVarianceOne) {
    SeededRandom r(4);
    double sum = 0;
    double sum_sq = 0;
    constexpr int n = 100000;
    for (int i = 0; i < n; ++i) {
        const double z = r.standard_normal();
        ASSERT_TRUE(std::isfinite(z));
        sum += z;
        sum_sq += z * z;
    }
    EXPECT_NEAR(sum / n, 0, 0.02);     // stddev of the mean: 0.003
    EXPECT_NEAR(sum_sq / n, 1, 0.03);  // stddev of the variance estimate: 0.0045
}

TEST(SeededRandom, BernoulliDrawsOnceWhateverP) {
    SeededRandom a(9);
    SeededRandom b(9);
    EXPECT_TRUE(a.bernoulli(1.0));
    EXPECT_FALSE(a.bernoulli(0.0));
    b.next_u64();
    b.next_u64();
    EXPECT_EQ(a.next_u64(), b.next_u64());
}

}  // namespace
}  // namespace conflictlab::mock
