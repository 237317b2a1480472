// Service tests without sockets: requests go to Service::handle directly, a
// FakeResolver stands in for the engine's driver and completes resolutions
// when the test says so, and the store is a real SQLite file. The only waits
// are bounded waits for the store writer thread (futures with a deadline).
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/service/service.hpp"
#include "conflictlab/service/signature.hpp"
#include "fake_resolver.hpp"
#include "temp_db.hpp"

namespace conflictlab::service {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using testing::FakeResolver;
using testing::TempDb;

constexpr auto kWait = 10s;

struct Harness {
    TempDb db;
    // Before `service`: the service logs from its destructor.
    std::vector<std::string> log;
    std::mutex log_mutex;
    FakeResolver* resolver = nullptr;
    std::unique_ptr<Service> service;

    explicit Harness(ServiceOptions o = {}) { open(std::move(o)); }

    void open(ServiceOptions o) {
        o.store.path = db.path();
        o.store.synchronous = Synchronous::normal;
        ServiceDeps deps;
        auto fake = std::make_unique<FakeResolver>();
        resolver = fake.get();
        deps.resolver = std::move(fake);
        deps.seed = 7;
        deps.log_line = [this](std::string_view line) {
            std::lock_guard lock(log_mutex);
            log.emplace_back(line);
        };
        service = std::make_unique<Service>(std::move(o), std::move(deps));
    }

    // Stops and reopens on the same database (a restart).
    void restart(ServiceOptions o = {}) {
        service->stop();
        service.reset();
        open(std::move(o));
    }

    HttpResponse request(std::string method, std::string target, std::string body = {},
                         HeaderFields headers = {}) {
        auto promise = std::make_shared<std::promise<HttpResponse>>();
        auto future = promise->get_future();
        service->handle({std::move(method), std::move(target), std::move(headers), std::move(body)},
                        [promise](HttpResponse r) { promise->set_value(std::move(r)); });
        if (future.wait_for(kWait) != std::future_status::ready) {
            ADD_FAILURE() << "no response within the deadline";
            return {};
        }
        return future.get();
    }

    HttpResponse post(const json& event, HeaderFields headers = {}) {
        return request("POST", "/webhook", event.dump(), std::move(headers));
    }

    json status(const std::string& correlation_id) {
        auto r = request("GET", "/events/" + correlation_id);
        EXPECT_EQ(r.status, 200) << r.body;
        return json::parse(r.body);
    }
};

json event(std::string id, std::string resource = "r-1", json extra = json::object()) {
    json e = {{"event_id", id},    {"resource_id", resource},
              {"method", "PATCH"}, {"payload", {{"last", id}}},
              {"type", "updated"}, {"status", "active"}};
    e.update(extra);
    return e;
}

TEST(Service, Webhook_AcceptedEventIsStoredBefore202) {
    Harness h;
    h.service->start();
    auto r = h.post(event("e-1"));
    ASSERT_EQ(r.status, 202) << r.body;
    const json body = json::parse(r.body);
    const std::string cid = body["correlation_id"];
    EXPECT_EQ(body["state"], "queued");
    EXPECT_EQ(*r.headers.get("Location"), "/events/" + cid);
    // Committed: a second connection to the file sees it right away.
    EventStore other({.path = h.db.path()});
    ASSERT_TRUE(other.find(cid));
    EXPECT_EQ(other.find(cid)->event_id, "e-1");
}

TEST(Service, Webhook_DuplicateEventIdIsNotAppliedTwice) {
    Harness h;
    h.service->start();
    auto first = h.post(event("e-1"));
    ASSERT_EQ(first.status, 202);
    auto second = h.post(event("e-1"));
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(json::parse(second.body)["duplicate"], true);
    EXPECT_EQ(json::parse(second.body)["correlation_id"],
              json::parse(first.body)["correlation_id"]);
    h.resolver->wait_calls(1);
    h.resolver->complete(0);
    // A duplicate after completion is still recognised.
    auto third = h.post(event("e-1"));
    EXPECT_EQ(third.status, 200);
    EXPECT_EQ(h.resolver->count(), 1u);
    EXPECT_EQ(h.service->stats().duplicates, 2u);
}

TEST(Service, Trigger_IgnoredEventsGet204AndAreNotStored) {
    Harness h;
    h.service->start();
    auto r = h.post(event("e-1", "r-1", {{"status", "ignored"}}));
    EXPECT_EQ(r.status, 204);
    EXPECT_EQ(*r.headers.get("X-Conflictlab-Ignored"), "status \"ignored\" is ignored");
    EXPECT_EQ(h.post(event("e-2", "r-1", {{"type", "heartbeat"}})).status, 204);
    EventStore other({.path = h.db.path()});
    EXPECT_TRUE(other.unfinished().empty());
    EXPECT_EQ(h.service->stats().ignored, 2u);
}

TEST(Service, MalformedJson_Is400AndNothingIsStored) {
    Harness h;
    h.service->start();
    auto r = h.request("POST", "/webhook", "{\"event_id\": ");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(*r.headers.get("Content-Type"), "application/problem+json");
    EXPECT_EQ(json::parse(r.body)["detail"], "body: not valid JSON (byte 14)");
    auto missing = h.post({{"resource_id", "r"}, {"method", "PUT"}, {"payload", json::object()}});
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(json::parse(missing.body)["detail"], "event_id: required (a non-empty string)");
    EventStore other({.path = h.db.path()});
    EXPECT_TRUE(other.unfinished().empty());
}

TEST(Service, Signature_RequiredWhenASecretIsConfigured) {
    const auto secret_file = std::filesystem::path(::testing::TempDir()) /
                             ("conflictlab-service-secret-" + std::to_string(::getpid()));
    {
        std::FILE* f = std::fopen(secret_file.c_str(), "w");
        std::fputs("s3cret\n", f);
        std::fclose(f);
    }
    ServiceOptions o;
    o.webhook_secret = "file:" + secret_file.string();
    Harness h(o);
    h.service->start();
    const std::string body = event("e-1").dump();
    auto unsigned_r = h.request("POST", "/webhook", body);
    EXPECT_EQ(unsigned_r.status, 401);
    EXPECT_EQ(json::parse(unsigned_r.body)["detail"],
              "X-Signature-256: missing (expected sha256=<hex HMAC-SHA256 of the body>)");
    auto bad = h.request("POST", "/webhook", body,
                         {{"X-Signature-256", "sha256=" + hmac_sha256_hex("wrong", body)}});
    EXPECT_EQ(bad.status, 401);
    EXPECT_EQ(bad.body.find("s3cret"), std::string::npos);
    EventStore other({.path = h.db.path()});
    EXPECT_TRUE(other.unfinished().empty()) << "unsigned events are not stored";
    auto good = h.request("POST", "/webhook", body,
                          {{"X-Signature-256", "sha256=" + hmac_sha256_hex("s3cret", body)}});
    EXPECT_EQ(good.status, 202) << good.body;
    std::filesystem::remove(secret_file);
}

// Regression: an unloadable webhook secret failed only after the event store
// file had been created; bad input must leave nothing behind.
TEST(Service, Signature_UnloadableSecretFailsBeforeTheStoreIsCreated) {
    TempDb db;
    ServiceOptions o;
    o.store.path = db.path();
    o.webhook_secret = "env:CONFLICTLAB_TEST_SURELY_UNSET_SECRET";
    ServiceDeps deps;
    deps.resolver = std::make_unique<FakeResolver>();
    try {
        Service service(o, std::move(deps));
        FAIL() << "an unset secret variable must be refused";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("CONFLICTLAB_TEST_SURELY_UNSET_SECRET"),
                  std::string::npos);
    }
    EXPECT_FALSE(std::filesystem::exists(db.path()));
}

TEST(Service, Order_OneEventInFlightPerResourceInArrivalOrder) {
    Harness h;
    h.service->start();
    ASSERT_EQ(h.post(event("e-1", "hot")).status, 202);
    ASSERT_EQ(h.post(event("e-2", "hot")).status, 202);
    ASSERT_EQ(h.post(event("e-3", "cold")).status, 202);
    auto calls = h.resolver->wait_calls(2);
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].event_id, "e-1");
    EXPECT_EQ(calls[1].event_id, "e-3") << "another resource proceeds concurrently";
    EXPECT_EQ(calls[0].op_id, "e-1");
    EXPECT_FALSE(calls[0].base_token) << "a fresh event is sent without a verify step";
    h.resolver->complete(0);
    calls = h.resolver->wait_calls(3);
    ASSERT_EQ(calls.size(), 3u);
    EXPECT_EQ(calls[2].event_id, "e-2");
}

TEST(Service, Status_FollowsTheEventToItsOutcome) {
    Harness h;
    h.service->start();
    const std::string cid = json::parse(h.post(event("e-1")).body)["correlation_id"];
    h.resolver->wait_calls(1);
    EXPECT_EQ(h.status(cid)["state"], "running");
    h.resolver->complete(0, engine::OutcomeKind::failed);
    json s;
    for (int i = 0; i < 1000; ++i) {  // bounded: the writer commits asynchronously
        s = h.status(cid);
        if (s["state"] != "running")
            break;
        h.resolver->wait_calls(2, 5ms);  // a bounded pause: nothing else arrives
    }
    EXPECT_EQ(s["state"], "failed");
    EXPECT_EQ(s["outcome"]["path"], "direct");
    EXPECT_EQ(s["event"]["event_id"], "e-1");
    EXPECT_EQ(h.request("GET", "/events/c-unknown").status, 404);
}

TEST(Service, Backpressure_FullIntakeGets429WithRetryAfter) {
    ServiceOptions o;
    o.queue_capacity = 2;
    o.retry_after = 3s;
    Harness h(o);
    h.service->start();
    EXPECT_EQ(h.post(event("e-1", "a")).status, 202);
    EXPECT_EQ(h.post(event("e-2", "a")).status, 202);
    auto r = h.post(event("e-3", "a"));
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(*r.headers.get("Retry-After"), "3");
    h.resolver->wait_calls(1);
    h.resolver->complete(0);
    h.resolver->wait_calls(2);  // e-2 starts once e-1's outcome is committed
    EXPECT_EQ(h.post(event("e-3", "a")).status, 202) << "room again";
}

TEST(Service, CrashRecovery_UnfinishedEventsResumeFirstWithAVerifyStep) {
    Harness h;
    h.service->start();
    ASSERT_EQ(h.post(event("e-1", "a")).status, 202);
    ASSERT_EQ(h.post(event("e-2", "a")).status, 202);
    ASSERT_EQ(h.post(event("e-3", "b")).status, 202);
    h.resolver->wait_calls(2);
    // Restart without completing anything: e-1 and e-3 may have been applied.
    h.restart();
    EXPECT_EQ(h.service->start(), 3u);
    auto calls = h.resolver->wait_calls(2);
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].event_id, "e-1");
    EXPECT_EQ(calls[0].base_token, std::string(kVerifyToken));
    EXPECT_EQ(calls[1].event_id, "e-3");
    EXPECT_EQ(calls[1].base_token, std::string(kVerifyToken));
    h.resolver->complete(0);
    calls = h.resolver->wait_calls(3);
    ASSERT_EQ(calls.size(), 3u);
    EXPECT_EQ(calls[2].event_id, "e-2");
    EXPECT_FALSE(calls[2].base_token) << "e-2 never started before the restart";
}

TEST(Service, Replay_FailedEventsMarkedInTheStoreAreResolvedAgainWithVerify) {
    ServiceOptions o;
    o.replay_poll = 1ms;
    Harness h(o);
    h.service->start();
    const std::string cid = json::parse(h.post(event("e-1")).body)["correlation_id"];
    h.resolver->wait_calls(1);
    h.resolver->complete(0, engine::OutcomeKind::failed);
    // Wait (bounded) until the failure is committed, then mark it for replay
    // from a second connection, as `conflictlab replay` does.
    EventStore other({.path = h.db.path()});
    for (int i = 0; i < 2000 && other.failed({}).empty(); ++i)
        h.resolver->wait_calls(2, 5ms);  // a bounded pause: nothing else arrives
    ASSERT_EQ(other.request_replay({}).size(), 1u);
    auto calls = h.resolver->wait_calls(2);
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[1].event_id, "e-1");
    EXPECT_EQ(calls[1].correlation_id, cid);
    EXPECT_EQ(calls[1].base_token, std::string(kVerifyToken));
}

TEST(Service, Stop_NewWebhooksGet503) {
    Harness h;
    h.service->start();
    h.service->stop();
    auto r = h.post(event("e-1"));
    EXPECT_EQ(r.status, 503);
    EXPECT_TRUE(r.headers.get("Retry-After"));
}

TEST(Service, Routes_UnknownPathAndWrongMethod) {
    Harness h;
    h.service->start();
    EXPECT_EQ(h.request("GET", "/nope").status, 404);
    auto r = h.request("GET", "/webhook");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(*r.headers.get("Allow"), "POST");
    EXPECT_EQ(h.request("GET", "/healthz").status, 200);
}

TEST(Service, Metrics_ExposeIntakeQueueDepthAndOutcomes) {
    Harness h;
    h.service->start();
    h.post(event("e-1"));
    h.post(event("e-2", "r-1", {{"type", "read"}}));
    h.resolver->wait_calls(1);
    const std::string text = h.request("GET", "/metrics").body;
    EXPECT_NE(text.find("conflictlab_service_webhooks_total{result=\"accepted\"} 1"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("conflictlab_service_webhooks_total{result=\"ignored\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("conflictlab_service_events{state=\"running\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace conflictlab::service
