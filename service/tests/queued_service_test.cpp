// QueuedService on the in-memory FakeQueueStore and a FakeResolver: intake,
// commit under the lease's fencing token, per-resource order, commit retry,
// takeover of a dead owner's pending entries (with the verify step), and a
// zombie whose commits are fenced. The ticks happen in start() only (tick =
// 1 h), so lease changes happen exactly when the test makes them; waits are
// bounded polls.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include <nlohmann/json.hpp>

#include "conflictlab/service/lease_keeper.hpp"
#include "conflictlab/service/partitioner.hpp"
#include "conflictlab/service/queued_service.hpp"
#include "fake_queue_store.hpp"
#include "fake_resolver.hpp"

namespace conflictlab::service {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeClock;
using testing::FakeQueueStore;
using testing::FakeResolver;

constexpr std::uint32_t kP = 4;
constexpr auto kTtl = std::chrono::milliseconds(std::chrono::hours(3));

// Polls `pred` for up to 10 s (a bound, not a timing assertion).
template <class Pred>
bool eventually(Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred())
            return true;
        std::this_thread::sleep_for(1ms);
    }
    return pred();
}

struct Instance {
    FakeResolver* resolver = nullptr;
    std::unique_ptr<QueuedService> service;

    Instance(std::shared_ptr<FakeQueueStore> store, std::string id, FakeClock* steady = nullptr) {
        QueuedServiceOptions o;
        o.leases.instance = std::move(id);
        o.leases.partitions = kP;
        o.leases.lease_ttl = kTtl;
        o.tick = std::chrono::hours(1);
        o.read_poll = 1ms;
        o.commit_retry = 1ms;
        QueuedServiceDeps deps;
        deps.store = std::move(store);
        if (steady != nullptr)
            deps.steady_clock = [steady] { return steady->now(); };
        auto fake = std::make_unique<FakeResolver>();
        resolver = fake.get();
        deps.service.resolver = std::move(fake);
        deps.service.seed = 7;
        deps.service.log_line = [](std::string_view) {};
        service = std::make_unique<QueuedService>(std::move(o), std::move(deps));
        service->start();
    }

    HttpResponse request(std::string method, std::string target, std::string body = {}) {
        std::promise<HttpResponse> p;
        auto f = p.get_future();
        service->handle({std::move(method), std::move(target), {}, std::move(body)},
                        [&p](HttpResponse r) { p.set_value(std::move(r)); });
        return f.get();  // QueuedService answers synchronously
    }
    HttpResponse post(const json& e) { return request("POST", "/webhook", e.dump()); }
};

json event(std::string id, std::string resource) {
    return {{"event_id", id},
            {"resource_id", resource},
            {"method", "PATCH"},
            {"payload", {{"last", id}}}};
}

TEST(QueuedService, AcceptedEventIsAppliedAndCommittedUnderTheLeaseToken) {
    FakeClock clock;
    auto store = std::make_shared<FakeQueueStore>(clock);
    Instance a(store, "a");
    auto r = a.post(event("e-1", "r-1"));
    ASSERT_EQ(r.status, 202) << r.body;
    const json body = json::parse(r.body);
    EXPECT_EQ(body["partition"], partition_of("r-1", kP));
    ASSERT_EQ(a.resolver->wait_calls(1).size(), 1u);
    EXPECT_EQ(a.resolver->wait_calls(1)[0].op_id, "e-1");
    a.resolver->complete(0);
    ASSERT_TRUE(eventually([&] { return store->committed().size() == 1; }));
    EXPECT_EQ(store->committed()[0].kind, "success");
    EXPECT_GT(store->committed()[0].token, 0u);
    const auto s = a.request("GET", "/events/" + body["correlation_id"].get<std::string>());
    EXPECT_EQ(json::parse(s.body)["state"], "success");
    // A repeated event id is a duplicate, not a second append.
    auto dup = a.post(event("e-1", "r-1"));
    EXPECT_EQ(dup.status, 200);
    EXPECT_EQ(json::parse(dup.body)["duplicate"], true);
    EXPECT_EQ(a.service->stats().committed, 1u);
    EXPECT_NE(a.service->prometheus_text().find(
                  "conflictlab_queue_partition_owner{partition=\"0\",owner=\"a\"} 1"),
              std::string::npos);
}

TEST(QueuedService, InvalidEventsAreRefusedAndNotQueued) {
    FakeClock clock;
    auto store = std::make_shared<FakeQueueStore>(clock);
    Instance a(store, "a");
    EXPECT_EQ(a.request("POST", "/webhook", "{").status, 400);
    EXPECT_EQ(a.post(json{{"event_id", "e"}}).status, 400);
    json ignored = event("e-2", "r-1");
    ignored["status"] = "ignored";
    EXPECT_EQ(a.post(ignored).status, 204);
    EXPECT_EQ(a.service->stats().accepted, 0u);
    EXPECT_EQ(store->stats(kP)[partition_of("r-1", kP)].lag, 0u);
}

TEST(QueuedService, NextEventOfAResourceStartsOnlyAfterTheCommit_EvenWhenCommitsFail) {
    FakeClock clock;
    auto store = std::make_shared<FakeQueueStore>(clock);
    Instance a(store, "a");
    ASSERT_EQ(a.post(event("e-1", "r-1")).status, 202);
    ASSERT_EQ(a.post(event("e-2", "r-1")).status, 202);
    ASSERT_EQ(a.resolver->wait_calls(1).size(), 1u);
    EXPECT_EQ(a.resolver->count(), 1u) << "one event per resource in flight";
    store->fail_next_commits(3);  // Redis hiccup: retried, the resource waits
    a.resolver->complete(0);
    ASSERT_EQ(a.resolver->wait_calls(2).size(), 2u);
    // e-2 started, so e-1 was committed first.
    ASSERT_EQ(store->committed().size(), 1u);
    EXPECT_EQ(store->committed()[0].correlation_id, a.resolver->wait_calls(1)[0].correlation_id);
    EXPECT_EQ(a.resolver->wait_calls(2)[1].op_id, "e-2");
    EXPECT_GE(a.service->stats().store_errors, 3u);
}

TEST(QueuedService, TakeoverOfADeadOwnersPendingEntries_VerifiesTheFirstPerResource) {
    FakeClock clock;
    auto store = std::make_shared<FakeQueueStore>(clock);
    // "dead" owned every partition and had read three events, then died.
    LeaseKeeperOptions ko;
    ko.instance = "dead";
    ko.partitions = kP;
    ko.lease_ttl = kTtl;
    LeaseKeeper dead(*store, ko);
    dead.tick(clock.now(), [](std::uint32_t) { return std::size_t{0}; });
    auto append = [&](std::string eid, std::string resource) {
        QueueAppend e;
        e.partition = partition_of(resource, kP);
        e.event_id = eid;
        e.correlation_id = "c-" + eid;
        e.resource_id = resource;
        e.document = event(eid, resource);
        store->append(e);
    };
    append("x-1", "r-1");
    append("y-1", "r-2");
    append("x-2", "r-1");
    ASSERT_EQ(store->read_new(dead.readable(), "dead", 100).size(), 3u);
    clock.advance(kTtl + 1ms);  // its leases expire

    Instance b(store, "b");
    const auto calls = b.resolver->wait_calls(2);
    ASSERT_EQ(calls.size(), 2u);
    for (const auto& u : calls) {
        EXPECT_TRUE(u.op_id == "x-1" || u.op_id == "y-1") << u.op_id;
        EXPECT_EQ(u.base_token, std::string(kVerifyToken)) << u.op_id << " may have been applied";
    }
    const std::size_t x1 = calls[0].op_id == "x-1" ? 0 : 1;
    b.resolver->complete(x1);
    const auto all = b.resolver->wait_calls(3);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[2].op_id, "x-2");
    EXPECT_NE(all[2].base_token, std::string(kVerifyToken))
        << "only the first taken-over entry of a resource can have reached the target";
    EXPECT_EQ(b.service->stats().redelivered, 3u);
}

TEST(QueuedService, AZombieThatLostItsLeaseCannotCommit) {
    FakeClock clock;
    auto store = std::make_shared<FakeQueueStore>(clock);
    Instance a(store, "a");
    ASSERT_EQ(a.post(event("e-1", "r-1")).status, 202);
    ASSERT_EQ(a.resolver->wait_calls(1).size(), 1u);
    // a stalls past its lease; another instance takes the partition.
    clock.advance(kTtl + 1ms);
    const std::uint32_t p = partition_of("r-1", kP);
    ASSERT_GT(store->acquire(p, "thief", kTtl), 0u);
    a.resolver->complete(0);
    ASSERT_TRUE(eventually([&] { return a.service->stats().fenced == 1; }));
    EXPECT_TRUE(store->committed().empty()) << "a fenced commit records nothing";
    // The entry is still pending, for the new owner to take over.
    const auto taken = store->claim_pending(p, "thief", 10);
    ASSERT_EQ(taken.size(), 1u);
    EXPECT_EQ(taken[0].event_id, "e-1");
}

TEST(QueuedService, StartsNothingWhileItsLeasesWentUnrenewedForMostOfATtl) {
    // The store and the service share one fake clock: a pause of the process
    // (or an unreachable store) is the clock moving without a renewal.
    FakeClock clock;
    auto store = std::make_shared<FakeQueueStore>(clock);
    Instance a(store, "a", &clock);
    ASSERT_EQ(a.post(event("e-1", "r-1")).status, 202);
    ASSERT_EQ(a.post(event("e-2", "r-1")).status, 202);
    ASSERT_EQ(a.resolver->wait_calls(1).size(), 1u);
    store->fail_heartbeats(true);
    clock.advance(kTtl * 92 / 100);  // the next tick fails: no renewal
    a.resolver->complete(0);
    ASSERT_TRUE(eventually([&] { return store->committed().size() == 1; }));
    // Two more consumer rounds (read, then dispatch) after the commit.
    const auto reads = store->read_calls();
    ASSERT_TRUE(eventually([&] { return store->read_calls() >= reads + 2; }));
    EXPECT_EQ(a.resolver->count(), 1u) << "e-2 must wait until the leases are checked again";
    // The store answers again: the next tick re-checks (here the lease had
    // expired, so it is re-acquired under a new token) and e-2 runs.
    store->fail_heartbeats(false);
    clock.advance(std::chrono::hours(1));
    const auto calls = a.resolver->wait_calls(2);
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[1].op_id, "e-2");
}

}  // namespace
}  // namespace conflictlab::service
