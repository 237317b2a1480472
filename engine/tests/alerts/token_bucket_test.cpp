#include "conflictlab/engine/token_bucket.hpp"

#include <gtest/gtest.h>

using namespace conflictlab::engine;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TokenBucket, BurstThenRefillAtTheRate) {
    TokenBucket b(30.0, 3.0);  // one token every 2 s
    Timestamp t{seconds(100)};
    EXPECT_TRUE(b.try_take(t));
    EXPECT_TRUE(b.try_take(t));
    EXPECT_TRUE(b.try_take(t));
    EXPECT_FALSE(b.try_take(t));  // burst spent
    EXPECT_FALSE(b.try_take(t + milliseconds(1999)));
    EXPECT_TRUE(b.try_take(t + milliseconds(2001)));
    EXPECT_FALSE(b.try_take(t + milliseconds(2002)));
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
    TokenBucket b(30.0, 2.0);
    Timestamp t{seconds(0)};
    EXPECT_TRUE(b.try_take(t));
    // An hour idle refills to the burst, not to 1800 tokens.
    Timestamp later = t + seconds(3600);
    EXPECT_TRUE(b.try_take(later));
    EXPECT_TRUE(b.try_take(later));
    EXPECT_FALSE(b.try_take(later));
}

TEST(TokenBucket, TimeUntilAvailable) {
    TokenBucket b(60.0, 1.0);  // one per second
    Timestamp t{seconds(5)};
    EXPECT_EQ(b.time_until_available(t).count(), 0);
    EXPECT_TRUE(b.try_take(t));
    auto wait = b.time_until_available(t + milliseconds(250));
    EXPECT_GE(wait, milliseconds(749));
    EXPECT_LE(wait, milliseconds(751));
    EXPECT_TRUE(b.try_take(t + milliseconds(250) + wait));
}

TEST(TokenBucket, ClockGoingBackwardsGrantsNothing) {
    TokenBucket b(60.0, 1.0);
    EXPECT_TRUE(b.try_take(Timestamp{seconds(10)}));
    EXPECT_FALSE(b.try_take(Timestamp{seconds(5)}));
    EXPECT_FALSE(b.try_take(Timestamp{seconds(10)}));
    EXPECT_TRUE(b.try_take(Timestamp{seconds(11)}));
}
