// Throttle: token buckets that answer 429 with a truthful Retry-After.

#include <gtest/gtest.h>

#include "conflictlab/mock/faults/throttle.hpp"
#include "fault_test_support.hpp"

namespace conflictlab::mock {
namespace {

using namespace conflictlab::mock::testing;
using nlohmann::json;
using std::chrono::milliseconds;

ThrottleOptions global(double rate, double burst) {
    ThrottleOptions o;
    o.global_rate_per_s = rate;
    o.global_burst = burst;
    return o;
}

ThrottleOptions per_client(double rate, double burst, std::size_t max_clients = 10000) {
    ThrottleOptions o;
    o.per_client_rate_per_s = rate;
    o.per_client_burst = burst;
    o.max_clients = max_clients;
    return o;
}

TEST(Throttle, OffByDefaultAdmitsEverything) {
    Throttle t{ThrottleOptions{}};
    EXPECT_FALSE(t.enabled());
    for (int i = 0; i < 1000; ++i) {
        ASSERT_FALSE(t.admit("c", t0));
    }
}

TEST(Throttle, BurstThenRefusalWithTimeUntilTheNextToken) {
    Throttle t{global(1, 3)};
    EXPECT_TRUE(t.enabled());
    EXPECT_FALSE(t.admit("c", t0));
    EXPECT_FALSE(t.admit("c", t0));
    EXPECT_FALSE(t.admit("c", t0));
    EXPECT_EQ(t.admit("c", t0), milliseconds{1000});
    EXPECT_EQ(t.admit("c", at_s(0.25)), milliseconds{750});
}

TEST(Throttle, RefillsOverTimeUpToTheBurst) {
    Throttle t{global(2, 2)};
    EXPECT_FALSE(t.admit("c", t0));
    EXPECT_FALSE(t.admit("c", t0));
    EXPECT_TRUE(t.admit("c", t0));
    EXPECT_FALSE(t.admit("c", at_s(0.5)));  // one token after 0.5 s at 2/s
    EXPECT_EQ(t.admit("c", at_s(0.5)), milliseconds{500});
    // A long idle period refills to the burst, not beyond.
    EXPECT_FALSE(t.admit("c", at_s(100)));
    EXPECT_FALSE(t.admit("c", at_s(100)));
    EXPECT_TRUE(t.admit("c", at_s(100)));
}

TEST(Throttle, RefusalTakesNoToken) {
    Throttle t{global(1, 1)};
    EXPECT_FALSE(t.admit("c", t0));
    for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(t.admit("c", at_s(0.5)));
    }
    EXPECT_FALSE(t.admit("c", at_s(1)));
}

TEST(Throttle, ZeroBurstMeansOneSecondsWorth) {
    Throttle t{global(5, 0)};
    for (int i = 0; i < 5; ++i) {
        ASSERT_FALSE(t.admit("c", t0)) << i;
    }
    EXPECT_EQ(t.admit("c", t0), milliseconds{200});
    Throttle slow{global(0.5, 0)};  // at least one request
    EXPECT_FALSE(slow.admit("c", t0));
    EXPECT_EQ(slow.admit("c", t0), milliseconds{2000});
}

TEST(Throttle, ClockGoingBackwardsAddsNoTokens) {
    Throttle t{global(1, 1)};
    EXPECT_FALSE(t.admit("c", at_s(10)));
    EXPECT_TRUE(t.admit("c", at_s(5)));
    EXPECT_TRUE(t.admit("c", at_s(10.5)));
    EXPECT_FALSE(t.admit("c", at_s(11)));
}

TEST(Throttle, ClientsHaveSeparateBuckets) {
    Throttle t{per_client(1, 2)};
    EXPECT_FALSE(t.admit("a", t0));
    EXPECT_FALSE(t.admit("a", t0));
    EXPECT_EQ(t.admit("a", t0), milliseconds{1000});
    EXPECT_FALSE(t.admit("b", t0));
    EXPECT_FALSE(t.admit("b", t0));
    EXPECT_TRUE(t.admit("b", t0));
    EXPECT_EQ(t.client_count(), 2u);
}

TEST(Throttle, ClientRefusalTakesNoGlobalToken) {
    ThrottleOptions o = per_client(1, 1);
    o.global_rate_per_s = 1;
    o.global_burst = 2;
    Throttle t{o};
    EXPECT_FALSE(t.admit("a", t0));                   // global 2 -> 1
    EXPECT_EQ(t.admit("a", t0), milliseconds{1000});  // a's bucket empty; global keeps 1
    EXPECT_FALSE(t.admit("b", t0));                   // global 1 -> 0
    EXPECT_EQ(t.admit("c", t0), milliseconds{1000});  // global empty
}

TEST(Throttle, WaitIsTheLongerOfBothBuckets) {
    ThrottleOptions o = per_client(0.25, 1);
    o.global_rate_per_s = 1;
    o.global_burst = 1;
    Throttle t{o};
    EXPECT_FALSE(t.admit("a", t0));
    EXPECT_EQ(t.admit("a", t0), milliseconds{4000});
}

TEST(Throttle, ClientTableIsBoundedAndEvictsTheLeastRecentlySeen) {
    Throttle t{per_client(1, 1, 2)};
    EXPECT_FALSE(t.admit("a", t0));
    EXPECT_FALSE(t.admit("b", t0));
    EXPECT_TRUE(t.admit("a", t0));   // a seen again: b is now the least recent
    EXPECT_FALSE(t.admit("c", t0));  // evicts b
    EXPECT_EQ(t.client_count(), 2u);
    EXPECT_TRUE(t.admit("a", t0));   // a kept its empty bucket
    EXPECT_FALSE(t.admit("b", t0));  // b starts over with a full bucket (evicting c)
    EXPECT_EQ(t.client_count(), 2u);
    for (int i = 0; i < 100; ++i) {
        t.admit("k" + std::to_string(i), t0);
    }
    EXPECT_EQ(t.client_count(), 2u);
}

TEST(Throttle, RetryAfterRoundsUpToWholeSeconds) {
    EXPECT_EQ(retry_after_seconds(milliseconds{1}), "1");
    EXPECT_EQ(retry_after_seconds(milliseconds{1000}), "1");
    EXPECT_EQ(retry_after_seconds(milliseconds{1001}), "2");
    EXPECT_EQ(retry_after_seconds(milliseconds{0}), "1");
}

TEST(ThrottleOptionsParse, ReadsEveryFieldAndKeepsDefaults) {
    const ThrottleOptions o = parse_throttle_options(json::parse(
        R"({"global_rate_per_s": 100, "global_burst": 20, "per_client_rate_per_s": 5,
            "per_client_burst": 1, "client_key_header": "X-Tenant", "max_clients": 50})"));
    EXPECT_EQ(o.global_rate_per_s, 100);
    EXPECT_EQ(o.global_burst, 20);
    EXPECT_EQ(o.per_client_rate_per_s, 5);
    EXPECT_EQ(o.per_client_burst, 1);
    EXPECT_EQ(o.client_key_header, "X-Tenant");
    EXPECT_EQ(o.max_clients, 50u);
    EXPECT_EQ(parse_throttle_options(to_json(o)), o);
    EXPECT_EQ(parse_throttle_options(json::object()), ThrottleOptions{});
}

TEST(ThrottleOptionsParse, ErrorsNameTheField) {
    const auto error_of = [](const json& doc) -> std::string {
        try {
            parse_throttle_options(doc);
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_EQ(error_of(json::array()), "throttle: must be an object, got []");
    EXPECT_EQ(error_of({{"global_rate", 1}}),
              "global_rate: unknown field (allowed: global_rate_per_s, global_burst, "
              "per_client_rate_per_s, per_client_burst, client_key_header, max_clients)");
    EXPECT_EQ(error_of({{"global_rate_per_s", -1}}),
              "global_rate_per_s: must be a number in [0, 1e9], got -1");
    EXPECT_EQ(error_of({{"per_client_rate_per_s", "5"}}),
              "per_client_rate_per_s: must be a number in [0, 1e9], got \"5\"");
    EXPECT_EQ(error_of({{"global_burst", 0.5}}),
              "global_burst: must be 0 (one second's worth) or a number in [1, 1e9], got 0.5");
    EXPECT_EQ(error_of({{"per_client_burst", -1}}),
              "per_client_burst: must be 0 (one second's worth) or a number in [1, 1e9], got -1");
    EXPECT_EQ(
        error_of({{"client_key_header", "X Client"}}),
        "client_key_header: must be a header field name such as \"X-Client-Id\", got \"X Client\"");
    EXPECT_EQ(error_of({{"max_clients", 0}}),
              "max_clients: must be an integer in [1, 10000000], got 0");
    EXPECT_EQ(error_of({{"max_clients", 2.5}}),
              "max_clients: must be an integer in [1, 10000000], got 2.5");
}

}  // namespace
}  // namespace conflictlab::mock
