// AsyncDriver over real sockets against MiniStore: many resolutions on few
// threads, sleeps on timers, bounds, callbacks, shutdown.
#include "conflictlab/engine/async_driver.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

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

Update tag_update(const std::string& id, const std::string& tag, const std::string& op) {
    Update u;
    u.resource_id = id;
    u.method = WriteMethod::put;
    u.payload = {{"tags", {tag}}};
    u.base_body = nlohmann::json{{"tags", nlohmann::json::array()}};
    u.base_token = "\"v1\"";
    u.op_id = op;
    u.writer_id = "w-" + op;
    return u;
}

Policy set_merge_policy() {
    Policy p;
    p.strategy = Strategy::merge;
    p.set_merge_pointers = {"/tags"};
    p.discard_if_stale = false;
    p.max_attempts = 50;
    p.backoff.kind = BackoffKind::full_jitter;
    p.backoff.base_ms = 2;
    p.backoff.cap_ms = 50;
    return p;
}

}  // namespace

TEST(AsyncDriver, ConcurrentSetMergeKeepsEveryAcknowledgedElement) {
    MiniStore store;
    for (const char* id : {"r0", "r1", "r2", "r3"})
        store.put_state(id, {{"tags", nlohmann::json::array()}});
    AsyncDriver driver(
        {.http = {.base_url = store.base_url(), .max_connections = 16}, .threads = 2});
    std::mutex m;
    std::vector<Outcome> outcomes;
    constexpr int kUpdates = 200;
    const Policy policy = set_merge_policy();
    for (int i = 0; i < kUpdates; ++i) {
        driver.submit(
            tag_update("r" + std::to_string(i % 4), "t" + std::to_string(i), std::to_string(i)),
            policy, [&](Outcome o) {
                std::lock_guard lock(m);
                outcomes.push_back(std::move(o));
            });
    }
    ASSERT_TRUE(driver.wait_idle(60s));
    ASSERT_EQ(outcomes.size(), static_cast<std::size_t>(kUpdates));
    int acknowledged = 0, conflicts = 0;
    for (const auto& o : outcomes) {
        conflicts += o.conflicts;
        if (o.kind != OutcomeKind::success && o.kind != OutcomeKind::resolved) {
            ADD_FAILURE() << "op " << o.op_id << ": " << outcome_kind_name(o.kind) << " "
                          << o.detail;
            continue;
        }
        ++acknowledged;
        auto final_state = *store.state(o.resource_id);
        std::string tag = "t" + o.op_id;
        bool present = false;
        for (const auto& t : final_state["tags"])
            present = present || t == tag;
        EXPECT_TRUE(present) << tag << " acknowledged but missing from " << o.resource_id;
    }
    EXPECT_EQ(acknowledged, kUpdates);
    EXPECT_GT(conflicts, 0);  // the test really raced
    AsyncDriverStats s = driver.stats();
    EXPECT_EQ(s.submitted, static_cast<std::uint64_t>(kUpdates));
    EXPECT_EQ(s.completed, static_cast<std::uint64_t>(kUpdates));
    EXPECT_EQ(s.in_flight, 0u);
    EXPECT_LE(s.http.connections_opened, 16u + s.http.connections_discarded);
}

TEST(AsyncDriver, SleepsDoNotBlockTheThread) {
    // Every resource answers 429 Retry-After: 1 once. With one I/O thread,
    // ten resolutions sleeping 1 s each finish in about 1 s, not 10.
    std::mutex m;
    std::set<std::string> throttled;
    MiniStore store([&](const CannedRequest& r, int) -> std::optional<CannedReply> {
        std::lock_guard lock(m);
        if (r.method == "PUT" && throttled.insert(r.target).second) {
            return CannedReply{http_response(429, "", {{"Retry-After", "1"}})};
        }
        return std::nullopt;
    });
    for (int i = 0; i < 10; ++i)
        store.put_state("s" + std::to_string(i), {{"x", 0}});
    AsyncDriver driver({.http = {.base_url = store.base_url()}, .threads = 1});
    std::atomic<int> resolved{0};
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i) {
        Update u;
        u.resource_id = "s" + std::to_string(i);
        u.payload = {{"x", 1}};
        u.base_token = store.etag(u.resource_id);
        driver.submit(u, default_policy(), [&](Outcome o) {
            if (o.kind == OutcomeKind::resolved)
                ++resolved;
        });
    }
    ASSERT_TRUE(driver.wait_idle(20s));
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(resolved.load(), 10);
    EXPECT_GE(elapsed, 1s);
    EXPECT_LT(elapsed, 5s);
    EXPECT_EQ(driver.stats().sleeps, 10u);
}

TEST(AsyncDriver, InvalidUpdateThrowsAndLeavesNothingInFlight) {
    MiniStore store;
    AsyncDriver driver({.http = {.base_url = store.base_url()}});
    Update u;  // empty resource_id
    EXPECT_THROW(driver.submit(u, default_policy(), [](Outcome) {}), std::invalid_argument);
    Policy bad;
    bad.max_attempts = 0;
    u.resource_id = "a";
    EXPECT_THROW(driver.submit(u, bad, [](Outcome) {}), PolicyError);
    EXPECT_EQ(driver.stats().in_flight, 0u);
    EXPECT_TRUE(driver.wait_idle(1s));
    EXPECT_TRUE(store.server().requests().empty());
}

TEST(AsyncDriver, MaxInFlightIsEnforced) {
    CannedServer server([](const CannedRequest&) {
        return CannedReply{http_response(200), Fate::respond, 300ms};
    });
    AsyncDriver driver({.http = {.base_url = server.base_url()}, .max_in_flight = 1});
    Update u;
    u.resource_id = "a";
    std::atomic<int> done{0};
    driver.submit(u, default_policy(), [&](Outcome) { ++done; });
    EXPECT_THROW(driver.submit(u, default_policy(), [](Outcome) {}), std::length_error);
    ASSERT_TRUE(driver.wait_idle(10s));
    EXPECT_EQ(done.load(), 1);
}

TEST(AsyncDriver, ThrowingCallbackIsCountedNotFatal) {
    MiniStore store;
    store.put_state("a", {{"x", 0}});
    AsyncDriver driver({.http = {.base_url = store.base_url()}, .threads = 1});
    Update u;
    u.resource_id = "a";
    u.payload = {{"x", 1}};
    driver.submit(u, default_policy(), [](Outcome) { throw std::runtime_error("boom"); });
    ASSERT_TRUE(driver.wait_idle(10s));
    driver.submit(u, default_policy(), [](Outcome) {});
    ASSERT_TRUE(driver.wait_idle(10s));
    EXPECT_EQ(driver.stats().callback_exceptions, 1u);
    EXPECT_EQ(driver.stats().completed, 2u);
}

TEST(AsyncDriver, DestructionCancelsSleepingResolutions) {
    MiniStore store([](const CannedRequest&, int) -> std::optional<CannedReply> {
        return CannedReply{http_response(503, "", {{"Retry-After", "30"}})};
    });
    std::atomic<int> called{0};
    auto start = std::chrono::steady_clock::now();
    {
        AsyncDriver driver({.http = {.base_url = store.base_url()}, .threads = 1});
        Update u;
        u.resource_id = "a";
        Policy p;
        p.retry_after_cap_ms = 30'000;
        driver.submit(u, p, [&](Outcome) { ++called; });
        for (int i = 0; i < 500 && driver.stats().sleeps == 0; ++i)
            std::this_thread::sleep_for(2ms);
        EXPECT_EQ(driver.stats().sleeps, 1u);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    EXPECT_EQ(called.load(), 0);
}
