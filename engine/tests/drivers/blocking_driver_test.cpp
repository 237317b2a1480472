// BlockingDriver over real sockets against MiniStore: the resolution loop,
// the injectable sleeper, keep-alive across calls, token scrubbing.
#include "conflictlab/engine/blocking_driver.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "mini_store.hpp"

using namespace conflictlab;
using namespace conflictlab::engine;
using namespace conflictlab::engine::testing;
using namespace std::chrono_literals;

namespace {

// A named policy: GCC 12 reports a bogus maybe-uninitialized for the map
// inside a temporary Policy{} passed by reference.
const Policy& default_policy() {
    static const Policy policy;
    return policy;
}

struct FakeSleeper {
    std::vector<std::chrono::milliseconds> delays;
    BlockingEnv env() {
        return BlockingEnv{[this](std::chrono::milliseconds d) { delays.push_back(d); }, {}};
    }
};

Update put_update(const std::string& id, nlohmann::json payload,
                  std::optional<std::string> base = {}) {
    Update u;
    u.resource_id = id;
    u.payload = std::move(payload);
    u.base_token = std::move(base);
    u.correlation_id = "corr-" + id;
    return u;
}

}  // namespace

TEST(BlockingDriver, DirectSuccess) {
    MiniStore store;
    store.put_state("a", {{"x", 0}});
    FakeSleeper sleeper;
    BlockingDriver driver({.http = {.base_url = store.base_url()}}, sleeper.env());
    Xoshiro256 random(1);
    Outcome o =
        driver.resolve(put_update("a", {{"x", 1}}, store.etag("a")), default_policy(), random);
    EXPECT_EQ(o.kind, OutcomeKind::success) << o.detail;
    EXPECT_EQ(o.path, "direct");
    EXPECT_EQ(o.statuses, std::vector<int>{200});
    EXPECT_EQ(store.state("a"), (nlohmann::json{{"x", 1}}));
    EXPECT_TRUE(sleeper.delays.empty());
}

TEST(BlockingDriver, StaleTokenRefetchesAndRetriesWithTheFreshToken) {
    MiniStore store;
    store.put_state("a", {{"x", 0}});
    store.put_state("a", {{"x", 5}});  // someone else wrote: v2
    FakeSleeper sleeper;
    BlockingDriver driver({.http = {.base_url = store.base_url()}}, sleeper.env());
    Xoshiro256 random(1);
    Policy policy;
    policy.discard_if_stale = false;
    Outcome o = driver.resolve(put_update("a", {{"x", 1}}, "\"v1\""), policy, random);
    EXPECT_EQ(o.kind, OutcomeKind::resolved) << o.detail;
    EXPECT_EQ(o.conflicts, 1);
    EXPECT_EQ(o.statuses.front(), 412);
    EXPECT_EQ(o.statuses.back(), 200);
    auto reqs = store.server().requests();
    ASSERT_GE(reqs.size(), 3u);
    EXPECT_EQ(reqs.back().method, "PUT");
    EXPECT_EQ(reqs.back().headers.at("if-match"), "\"v2\"");
    EXPECT_EQ(store.state("a"), (nlohmann::json{{"x", 1}}));
}

TEST(BlockingDriver, RetryAfterIsSleptThroughTheInjectedSleeper) {
    MiniStore store([](const CannedRequest&, int index) -> std::optional<CannedReply> {
        if (index == 0)
            return CannedReply{http_response(429, "", {{"Retry-After", "7"}})};
        return std::nullopt;
    });
    store.put_state("a", {{"x", 0}});
    FakeSleeper sleeper;
    BlockingDriver driver({.http = {.base_url = store.base_url()}}, sleeper.env());
    Xoshiro256 random(1);
    auto start = std::chrono::steady_clock::now();
    Outcome o =
        driver.resolve(put_update("a", {{"x", 1}}, store.etag("a")), default_policy(), random);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // nobody waited 7 s
    EXPECT_EQ(o.kind, OutcomeKind::resolved) << o.detail;
    ASSERT_EQ(sleeper.delays.size(), 1u);
    EXPECT_EQ(sleeper.delays[0], 7000ms);
    EXPECT_EQ(o.statuses, (std::vector<int>{429, 200}));
}

TEST(BlockingDriver, KeepAliveAcrossResolutions) {
    MiniStore store;
    store.put_state("a", {{"x", 0}});
    FakeSleeper sleeper;
    BlockingDriver driver({.http = {.base_url = store.base_url()}}, sleeper.env());
    Xoshiro256 random(1);
    for (int i = 1; i <= 3; ++i) {
        Outcome o =
            driver.resolve(put_update("a", {{"x", i}}, store.etag("a")), default_policy(), random);
        EXPECT_EQ(o.kind, OutcomeKind::success) << o.detail;
    }
    EXPECT_EQ(store.server().connections(), 1);
    EXPECT_EQ(driver.stats().connections_reused, 2u);
}

TEST(BlockingDriver, TransportErrorsReachTheResolution) {
    // Nothing listens: every write fails to connect (nothing sent), the core
    // retries max_attempts times and gives up as exhausted-transient.
    FakeSleeper sleeper;
    BlockingDriver driver(
        {.http = {.base_url = "http://127.0.0.1:" + std::to_string(unused_port())}}, sleeper.env());
    Xoshiro256 random(1);
    Outcome o = driver.resolve(put_update("a", {{"x", 1}}, "\"v1\""), default_policy(), random);
    EXPECT_EQ(o.kind, OutcomeKind::failed);
    EXPECT_EQ(o.reason, FailureReason::exhausted_transient) << o.detail;
    EXPECT_EQ(o.attempts, 3);
    EXPECT_EQ(sleeper.delays.size(), 2u);
    ASSERT_FALSE(o.steps.empty());
    EXPECT_EQ(o.steps[0].error, "connect");
}

TEST(BlockingDriver, BearerTokenIsSentButNeverInTheOutcome) {
    ::setenv("CONFLICTLAB_TEST_TOKEN", "tok-zyx987654", 1);
    // A careless server echoes the Authorization header into its error body.
    MiniStore store([](const CannedRequest& r, int) -> std::optional<CannedReply> {
        return CannedReply{
            http_response(400, "bad request, you sent " + r.headers.at("authorization"))};
    });
    FakeSleeper sleeper;
    BlockingDriver driver({.http = {.base_url = store.base_url(),
                                    .bearer_token_secret = "env:CONFLICTLAB_TEST_TOKEN"}},
                          sleeper.env());
    Xoshiro256 random(1);
    Outcome o = driver.resolve(put_update("a", {{"x", 1}}, "\"v1\""), default_policy(), random);
    EXPECT_EQ(store.server().requests().at(0).headers.at("authorization"), "Bearer tok-zyx987654");
    EXPECT_EQ(o.kind, OutcomeKind::failed);
    std::string all = to_json(o).dump();
    EXPECT_EQ(all.find("tok-zyx987654"), std::string::npos) << all;
}

TEST(BlockingDriver, InvalidUpdateThrowsBeforeSending) {
    MiniStore store;
    BlockingDriver driver({.http = {.base_url = store.base_url()}});
    Xoshiro256 random(1);
    EXPECT_THROW(driver.resolve(put_update("", {{"x", 1}}), default_policy(), random),
                 std::invalid_argument);
    EXPECT_TRUE(store.server().requests().empty());
}
