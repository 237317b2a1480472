#include "conflictlab/engine/random.hpp"

#include <gtest/gtest.h>

namespace conflictlab::engine {
namespace {

// Reference outputs of splitmix64.c (Vigna) for seed 0.
TEST(SplitMix64, MatchesTheReferenceImplementation) {
    SplitMix64 r(0);
    EXPECT_EQ(r.next(), 0xe220a8397b1dcdafULL);
    EXPECT_EQ(r.next(), 0x6e789e6aa1b965f4ULL);
    EXPECT_EQ(r.next(), 0x06c45d188009454fULL);
}

TEST(Xoshiro256, SameSeedSameSequence_DifferentSeedDifferentSequence) {
    Xoshiro256 a(7);
    Xoshiro256 b(7);
    Xoshiro256 c(8);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        auto x = a.next();
        EXPECT_EQ(x, b.next());
        differs = differs || x != c.next();
    }
    EXPECT_TRUE(differs);
}

TEST(RandomSource, Uniform01InHalfOpenUnitInterval) {
    Xoshiro256 r(1);
    double sum = 0;
    for (int i = 0; i < 100'000; ++i) {
        double u = r.uniform01();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
    }
    EXPECT_NEAR(sum / 100'000, 0.5, 0.01);
}

}  // namespace
}  // namespace conflictlab::engine
