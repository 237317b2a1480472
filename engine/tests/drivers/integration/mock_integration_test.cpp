// Integration: both drivers through real sockets against the real
// `conflictlab mock` binary (spawned per test on an ephemeral port).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <sstream>

#include "conflictlab/engine/alert_sender.hpp"
#include "conflictlab/engine/async_driver.hpp"
#include "conflictlab/engine/blocking_driver.hpp"
#include "conflictlab/engine/jsonl_outcome_log.hpp"
#include "conflictlab/engine/monitor.hpp"
#include "conflictlab/engine/sqlite_outcome_log.hpp"
#include "mock_process.hpp"

using namespace conflictlab;
using namespace conflictlab::engine;
using namespace conflictlab::engine::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// ---- a small synchronous client for set-up and assertions ----------------

struct Reply {
    int status = 0;
    std::string etag;
    json body;
};

class Admin {
  public:
    explicit Admin(const std::string& url, HttpClientOptions extra = {})
        : client_(make(url, std::move(extra))) {}

    Reply call(const std::string& method, const std::string& path, const json& body = nullptr,
               HeaderFields headers = {}) {
        SendRequest r;
        r.method = method;
        r.path = path;
        r.headers = std::move(headers);
        if (!body.is_null()) {
            r.body = body.dump();
            if (!r.headers.contains("Content-Type"))
                r.headers.add("Content-Type", "application/json");
        }
        r.timeout = 10s;
        std::promise<HttpResult> p;
        auto f = p.get_future();
        client_.send(std::move(r), [&p](HttpResult res) { p.set_value(std::move(res)); });
        HttpResult res = f.get();
        if (auto* e = std::get_if<TransportError>(&res)) {
            ADD_FAILURE() << method << " " << path << ": " << e->detail;
            return {};
        }
        auto& resp = std::get<Response>(res);
        Reply out;
        out.status = resp.status;
        out.etag = std::string(resp.headers.get("ETag").value_or(""));
        out.body = json::parse(resp.body, nullptr, false);
        return out;
    }

    std::string put(const std::string& id, const json& doc) {
        Reply r = call("PUT", "/resources/" + id, doc);
        EXPECT_TRUE(r.status == 200 || r.status == 201) << "seed PUT " << id << ": " << r.status;
        return r.etag;
    }
    Reply get(const std::string& id) { return call("GET", "/resources/" + id); }
    void faults(const json& rules) {
        Reply r = call("PUT", "/_admin/faults", rules);
        ASSERT_EQ(r.status, 200) << r.body.dump();
    }
    // History entries written by `op_id`.
    int writes_by(const std::string& id, const std::string& op_id) {
        Reply r = call("GET", "/_admin/history/" + id);
        int n = 0;
        for (const auto& e : r.body["entries"])
            n += e.value("op_id", "") == op_id ? 1 : 0;
        return n;
    }

  private:
    static HttpClientOptions make(const std::string& url, HttpClientOptions o) {
        o.base_url = url;
        return o;
    }
    HttpClient client_;
};

// ---- running an update through either driver ------------------------------

enum class Kind { blocking, async };

std::string kind_name(const ::testing::TestParamInfo<Kind>& info) {
    return info.param == Kind::blocking ? "Blocking" : "Async";
}

struct Resolved {
    Outcome outcome;
    std::vector<std::chrono::milliseconds> sleeps;  // blocking only (injected sleeper)
};

Resolved resolve(Kind kind, const DriverOptions& options, const Update& update,
                 const Policy& policy) {
    Resolved run;
    if (kind == Kind::blocking) {
        BlockingEnv env;
        env.sleep = [&run](std::chrono::milliseconds d) {
            run.sleeps.push_back(d);
            std::this_thread::sleep_for(d);  // real time: the server's state moves with it
        };
        BlockingDriver driver(options, env);
        Xoshiro256 random(7);
        run.outcome = driver.resolve(update, policy, random);
        return run;
    }
    AsyncDriver driver(options);
    std::promise<Outcome> p;
    driver.submit(update, policy, [&p](Outcome o) { p.set_value(std::move(o)); });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(60s), std::future_status::ready);
    run.outcome = f.get();
    return run;
}

Update make_update(const std::string& id, json payload, std::string base_token,
                   const std::string& op) {
    Update u;
    u.resource_id = id;
    u.payload = std::move(payload);
    u.base_token = std::move(base_token);
    u.correlation_id = "corr-" + op;
    u.writer_id = "writer-1";
    u.op_id = op;
    return u;
}

// Short backoff so the tests run quickly. A static, not a temporary: GCC 12
// reports a bogus maybe-uninitialized for the map inside a temporary Policy.
const Policy& quick_policy() {
    static const Policy policy = [] {
        Policy p;
        p.backoff.kind = BackoffKind::full_jitter;
        p.backoff.base_ms = 5;
        p.backoff.cap_ms = 50;
        p.discard_if_stale = false;
        return p;
    }();
    return policy;
}

std::string describe(const Outcome& o) {
    return to_json(o).dump();
}

class MockDrivers : public ::testing::TestWithParam<Kind> {
  protected:
    void SetUp() override { mock_ = std::make_unique<MockProcess>(); }
    DriverOptions options() const {
        DriverOptions o;
        o.http.base_url = mock_->url();
        return o;
    }
    std::unique_ptr<MockProcess> mock_;
};

}  // namespace

TEST_P(MockDrivers, NoConflictIsADirectSuccess) {
    Admin admin(mock_->url());
    std::string etag = admin.put("plain", {{"x", 0}});
    Resolved run = resolve(GetParam(), options(), make_update("plain", {{"x", 1}}, etag, "op-1"),
                           quick_policy());
    EXPECT_EQ(run.outcome.kind, OutcomeKind::success) << describe(run.outcome);
    EXPECT_EQ(run.outcome.path, "direct");
    EXPECT_EQ(run.outcome.statuses, std::vector<int>{200});
    EXPECT_EQ(admin.get("plain").body, (json{{"x", 1}}));
    EXPECT_EQ(admin.writes_by("plain", "op-1"), 1);
    EXPECT_TRUE(run.outcome.token_after.has_value());
}

TEST_P(MockDrivers, StaleTokenRefetchMergeRetry) {
    Admin admin(mock_->url());
    std::string v1 = admin.put("tags", {{"tags", {"a"}}, {"owner", "x"}});
    admin.put("tags", {{"tags", {"a", "b"}}, {"owner", "x"}});  // someone else: v2
    Update u = make_update("tags", {{"tags", {"a", "c"}}, {"owner", "x"}}, v1, "op-merge");
    u.base_body = json{{"tags", {"a"}}, {"owner", "x"}};
    Policy p = quick_policy();
    p.strategy = Strategy::merge;
    p.set_merge_pointers = {"/tags"};
    Resolved run = resolve(GetParam(), options(), u, p);
    EXPECT_EQ(run.outcome.kind, OutcomeKind::resolved) << describe(run.outcome);
    EXPECT_EQ(run.outcome.statuses.front(), 412);
    EXPECT_EQ(run.outcome.conflicts, 1);
    EXPECT_NE(run.outcome.path.find("refetch"), std::string::npos) << run.outcome.path;
    EXPECT_NE(run.outcome.path.find("merge"), std::string::npos) << run.outcome.path;
    json final_state = admin.get("tags").body;
    EXPECT_EQ(final_state["tags"], (json{"a", "b", "c"})) << final_state.dump();
}

TEST_P(MockDrivers, ForeignWriteFaultIsMerged) {
    Admin admin(mock_->url());
    std::string etag = admin.put("shared", {{"qty", 1}, {"owner", "me"}});
    admin.faults({{"rules",
                   {{{"name", "foreign"},
                     {"match", {{"methods", {"PUT"}}, {"resource", "shared"}}},
                     {"when", {{"nth", 1}}},
                     {"then", {{"foreign_write", {{"merge_patch", {{"owner", "other"}}}}}}}}}}});
    Update u = make_update("shared", {{"qty", 2}, {"owner", "me"}}, etag, "op-fw");
    u.base_body = json{{"qty", 1}, {"owner", "me"}};
    Policy p = quick_policy();
    p.strategy = Strategy::merge;
    Resolved run = resolve(GetParam(), options(), u, p);
    EXPECT_EQ(run.outcome.kind, OutcomeKind::resolved) << describe(run.outcome);
    EXPECT_EQ(run.outcome.conflicts, 1);
    json final_state = admin.get("shared").body;
    EXPECT_EQ(final_state["qty"], 2);          // ours
    EXPECT_EQ(final_state["owner"], "other");  // theirs, untouched by us
}

TEST_P(MockDrivers, DeletedBetweenConflictAndFetchFailsWithAlert) {
    Admin admin(mock_->url());
    std::string etag = admin.put("doomed", {{"x", 0}});
    admin.faults({{"rules",
                   {{{"name", "delete-then-conflict"},
                     {"match", {{"methods", {"PUT"}}, {"resource", "doomed"}}},
                     {"when", {{"nth", 1}}},
                     {"then", {{"delete_resource", true}, {"status", 409}}}}}}});
    Resolved run = resolve(GetParam(), options(), make_update("doomed", {{"x", 1}}, etag, "op-d"),
                           quick_policy());
    EXPECT_EQ(run.outcome.kind, OutcomeKind::failed) << describe(run.outcome);
    EXPECT_EQ(run.outcome.reason, FailureReason::deleted);
    EXPECT_TRUE(run.outcome.alert);
    EXPECT_EQ(run.outcome.statuses, (std::vector<int>{409, 404}));
    EXPECT_NE(run.outcome.detail.find("between the conflict and the fetch"), std::string::npos)
        << run.outcome.detail;
}

TEST_P(MockDrivers, TooManyRequestsHonoursRetryAfter) {
    Admin admin(mock_->url());
    std::string etag = admin.put("busy", {{"x", 0}});
    admin.faults({{"rules",
                   {{{"name", "throttle"},
                     {"match", {{"methods", {"PUT"}}, {"resource", "busy"}}},
                     {"when", {{"nth", 1}}},
                     {"then", {{"status", 429}, {"retry_after_s", 1}}}}}}});
    auto start = std::chrono::steady_clock::now();
    Resolved run = resolve(GetParam(), options(), make_update("busy", {{"x", 1}}, etag, "op-t"),
                           quick_policy());
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(run.outcome.kind, OutcomeKind::resolved) << describe(run.outcome);
    EXPECT_EQ(run.outcome.statuses, (std::vector<int>{429, 200}));
    EXPECT_GE(elapsed, 1s);
    if (GetParam() == Kind::blocking) {
        EXPECT_EQ(run.sleeps, (std::vector<std::chrono::milliseconds>{1000ms}));
    }
    EXPECT_EQ(admin.get("busy").body, (json{{"x", 1}}));
}

TEST_P(MockDrivers, TransientServerErrorsAreRetried) {
    Admin admin(mock_->url());
    std::string etag = admin.put("flaky", {{"x", 0}});
    admin.faults({{"rules",
                   {{{"name", "flaky"},
                     {"match", {{"methods", {"PUT"}}, {"resource", "flaky"}}},
                     {"when", {{"first", 2}}},
                     {"then", {{"status", 502}}}}}}});
    Resolved run = resolve(GetParam(), options(), make_update("flaky", {{"x", 1}}, etag, "op-5xx"),
                           quick_policy());
    EXPECT_EQ(run.outcome.kind, OutcomeKind::resolved) << describe(run.outcome);
    EXPECT_EQ(run.outcome.attempts, 3);
    EXPECT_EQ(run.outcome.statuses.front(), 502);
    EXPECT_EQ(run.outcome.statuses.back(), 200);
    EXPECT_EQ(admin.writes_by("flaky", "op-5xx"), 1);
}

// The mock processes a request and then carries out its connection fate: a
// `reset` write has been applied although the client hears only a reset.
// The driver reports {reset, may_have_reached_server = true}; the engine
// verifies with a GET, finds its write applied and does not write again.
TEST_P(MockDrivers, ResetAfterAnAppliedWriteIsVerifiedNotRepeated) {
    Admin admin(mock_->url());
    std::string etag = admin.put("lossy", {{"x", 0}});
    admin.faults({{"rules",
                   {{{"name", "reset-after-apply"},
                     {"match", {{"methods", {"PUT"}}, {"resource", "lossy"}}},
                     {"when", {{"nth", 1}}},
                     {"then", {{"connection", "reset"}}}}}}});
    Resolved run = resolve(GetParam(), options(),
                           make_update("lossy", {{"x", 1}}, etag, "op-reset"), quick_policy());
    EXPECT_EQ(run.outcome.kind, OutcomeKind::resolved) << describe(run.outcome);
    EXPECT_NE(run.outcome.path.find("indeterminate"), std::string::npos) << run.outcome.path;
    EXPECT_NE(run.outcome.path.find("already-applied"), std::string::npos) << run.outcome.path;
    ASSERT_FALSE(run.outcome.steps.empty());
    EXPECT_EQ(run.outcome.steps[0].error, "reset");
    EXPECT_EQ(admin.writes_by("lossy", "op-reset"), 1);  // applied once, never resent
    EXPECT_EQ(admin.get("lossy").body, (json{{"x", 1}}));
}

// Same with a delay longer than the attempt timeout: the mock applies the
// write first and delays only the response.
TEST_P(MockDrivers, TimeoutAfterAnAppliedWriteIsVerifiedNotRepeated) {
    Admin admin(mock_->url());
    std::string etag = admin.put("slow", {{"x", 0}});
    admin.faults({{"rules",
                   {{{"name", "slow-response"},
                     {"match", {{"methods", {"PUT"}}, {"resource", "slow"}}},
                     {"when", {{"nth", 1}}},
                     {"then", {{"delay_ms", 1500}}}}}}});
    Policy p = quick_policy();
    p.attempt_timeout_ms = 300;
    Resolved run =
        resolve(GetParam(), options(), make_update("slow", {{"x", 1}}, etag, "op-slow"), p);
    EXPECT_EQ(run.outcome.kind, OutcomeKind::resolved) << describe(run.outcome);
    ASSERT_FALSE(run.outcome.steps.empty());
    EXPECT_EQ(run.outcome.steps[0].error, "timeout");
    EXPECT_NE(run.outcome.path.find("already-applied"), std::string::npos) << run.outcome.path;
    EXPECT_EQ(admin.writes_by("slow", "op-slow"), 1);
}

TEST_P(MockDrivers, AlertForAFailureIsDeliveredToTheAdminSink) {
    Admin admin(mock_->url());
    std::string etag = admin.put("doomed", {{"x", 0}});
    admin.faults({{"rules",
                   {{{"name", "delete"},
                     {"match", {{"methods", {"PUT"}}, {"resource", "doomed"}}},
                     {"then", {{"delete_resource", true}}}}}}});
    Resolved run = resolve(GetParam(), options(),
                           make_update("doomed", {{"x", 1}}, etag, "op-alert"), quick_policy());
    ASSERT_EQ(run.outcome.kind, OutcomeKind::failed) << describe(run.outcome);
    ASSERT_TRUE(run.outcome.alert);
    {
        AlertSender sender({.webhook_url = mock_->url() + "/_admin/alerts"});
        sender.record(run.outcome);
        ASSERT_TRUE(sender.wait_idle(10s));
        EXPECT_EQ(sender.stats().sent, 1u);
        EXPECT_EQ(sender.stats().last_status, 202);
    }
    Reply alerts = admin.call("GET", "/_admin/alerts");
    ASSERT_EQ(alerts.body["count"], 1) << alerts.body.dump();
    EXPECT_EQ(alerts.body["alerts"][0]["body"], adaptive_card(run.outcome));
    EXPECT_EQ(alerts.body["alerts"][0]["body"]["attachments"][0]["content"]["version"], "1.4");
}

INSTANTIATE_TEST_SUITE_P(BothDrivers, MockDrivers, ::testing::Values(Kind::blocking, Kind::async),
                         kind_name);

// ---- many concurrent writers (async) ----------------------------------------

// Sanitizer builds (ASan at -O0, TSan) run the mock server and the driver
// several times slower. With the same contention, resolutions starve into
// their deadline, and the test would then measure starvation rather than loss.
// 50 writers per hot key stays a hot key, with enough headroom.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int kHotKeyWriters = 50;
#else
constexpr int kHotKeyWriters = 200;
#endif

// kHotKeyWriters (200) writers x 5 updates on 4 hot resources, merge
// strategy, each update adding one element to a set-like array, all based on
// the same stale version: afterwards every acknowledged element is in the
// final state.
TEST(MockAsyncDriver, ConcurrentSetAddsLoseNothing) {
    MockProcess mock;
    Admin admin(mock.url());
    constexpr int kWriters = kHotKeyWriters, kUpdatesPerWriter = 5, kResources = 4;
    std::vector<std::string> base_tokens;
    for (int r = 0; r < kResources; ++r) {
        base_tokens.push_back(admin.put("hot-" + std::to_string(r), {{"tags", json::array()}}));
    }
    Policy p;
    p.strategy = Strategy::merge;
    p.set_merge_pointers = {"/tags"};
    p.discard_if_stale = false;
    p.max_attempts = 200;
    p.deadline_ms = 120'000;
    p.backoff.kind = BackoffKind::full_jitter;
    p.backoff.base_ms = 5;
    p.backoff.cap_ms = 200;

    DriverOptions o;
    o.http.base_url = mock.url();
    o.http.max_connections = 64;
    AsyncDriver driver(o);

    std::mutex m;
    std::vector<Outcome> outcomes;
    // Each writer submits its next update when the previous one finished.
    std::function<void(int, int)> next = [&](int writer, int k) {
        if (k == kUpdatesPerWriter)
            return;
        int r = (writer + k) % kResources;
        Update u;
        u.resource_id = "hot-" + std::to_string(r);
        u.op_id = "w" + std::to_string(writer) + "-" + std::to_string(k);
        u.writer_id = "w" + std::to_string(writer);
        u.payload = {{"tags", {u.op_id}}};
        u.base_body = json{{"tags", json::array()}};
        u.base_token = base_tokens[static_cast<std::size_t>(r)];
        driver.submit(u, p, [&, writer, k](Outcome out) {
            {
                std::lock_guard lock(m);
                outcomes.push_back(std::move(out));
            }
            next(writer, k + 1);
        });
    };
    for (int w = 0; w < kWriters; ++w)
        next(w, 0);
    auto deadline = std::chrono::steady_clock::now() + 180s;
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(m);
            if (outcomes.size() == static_cast<std::size_t>(kWriters * kUpdatesPerWriter))
                break;
        }
        driver.wait_idle(100ms);
    }
    ASSERT_TRUE(driver.wait_idle(30s));
    std::lock_guard lock(m);
    ASSERT_EQ(outcomes.size(), static_cast<std::size_t>(kWriters * kUpdatesPerWriter));
    std::map<std::string, std::set<std::string>> final_tags;
    for (int r = 0; r < kResources; ++r) {
        std::string id = "hot-" + std::to_string(r);
        // A named value: iterating admin.get(id).body["tags"] directly would
        // walk a reference into a destroyed temporary (every tag "missing").
        Reply state = admin.get(id);
        ASSERT_EQ(state.status, 200) << id;
        for (const auto& t : state.body["tags"])
            final_tags[id].insert(t.get<std::string>());
    }
    int acknowledged = 0, conflicts = 0;
    for (const auto& out : outcomes) {
        conflicts += out.conflicts;
        bool present = final_tags[out.resource_id].count(out.op_id) > 0;
        if (out.kind == OutcomeKind::success || out.kind == OutcomeKind::resolved) {
            ++acknowledged;
            EXPECT_TRUE(present) << "acknowledged " << out.op_id << " missing from "
                                 << out.resource_id << ": " << describe(out);
        } else {
            ADD_FAILURE() << "not acknowledged: " << describe(out);
        }
    }
    EXPECT_EQ(acknowledged, kWriters * kUpdatesPerWriter);
    EXPECT_GT(conflicts, 0);
    std::size_t total = 0;
    for (auto& [id, tags] : final_tags)
        total += tags.size();
    EXPECT_EQ(total, static_cast<std::size_t>(kWriters * kUpdatesPerWriter));
    AsyncDriverStats s = driver.stats();
    EXPECT_LE(s.http.connections_opened, 64u + s.http.connections_discarded);
    EXPECT_EQ(s.http.transport_errors, 0u);
}

// ---- bearer token ------------------------------------------------------------

TEST(MockAuth, BearerTokenAuthenticatesAndNeverLeaks) {
    TempDir dir;
    const std::string token = "it-secret-token-4711";
    std::string token_file = dir.write("token", token + "\n");
    // The mock refuses a resource token without an admin token (its /_admin
    // would be open); the same secret guards both here.
    MockProcess mock({"--token-file", token_file, "--admin-token-file", token_file});
    Admin admin(mock.url(), {.bearer_token_secret = "file:" + token_file});
    std::string etag = admin.put("auth", {{"x", 0}});

    std::mutex m;
    std::vector<std::string> log_lines;
    DriverOptions o;
    o.http.base_url = mock.url();
    o.http.bearer_token_secret = "file:" + token_file;
    o.http.request_log = [&](std::string_view l) {
        std::lock_guard lock(m);
        log_lines.emplace_back(l);
    };
    {
        SqliteOutcomeLog db({.path = dir.file("outcomes.db")});
        JsonlOutcomeLog jsonl({.path = dir.file("outcomes.jsonl")});
        Monitor monitor({.log_line = [&](std::string_view l) {
            std::lock_guard lock(m);
            log_lines.emplace_back(l);
        }});
        AsyncDriver driver(o);
        std::promise<Outcome> p;
        driver.submit(make_update("auth", {{"x", 1}}, etag, "op-auth"), quick_policy(),
                      [&](Outcome out) {
                          db.record(out);
                          jsonl.record(out);
                          monitor.record(out);
                          p.set_value(std::move(out));
                      });
        Outcome out = p.get_future().get();
        EXPECT_EQ(out.kind, OutcomeKind::success) << describe(out);
        ASSERT_TRUE(driver.wait_idle(10s));
        db.flush();
        jsonl.flush();
        monitor.flush();
    }
    // Without the token the same write is refused (401, not retried).
    {
        BlockingDriver anonymous({.http = {.base_url = mock.url()}});
        Xoshiro256 random(1);
        Outcome out = anonymous.resolve(make_update("auth", {{"x", 2}}, etag, "op-anon"),
                                        quick_policy(), random);
        EXPECT_EQ(out.kind, OutcomeKind::failed);
        EXPECT_EQ(out.statuses, std::vector<int>{401});
    }
    auto slurp = [](const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    };
    std::lock_guard lock(m);
    ASSERT_FALSE(log_lines.empty());
    bool saw_redacted = false;
    for (const auto& l : log_lines) {
        EXPECT_EQ(l.find(token), std::string::npos) << l;
        saw_redacted = saw_redacted || l.find("Bearer ***") != std::string::npos;
    }
    EXPECT_TRUE(saw_redacted);
    EXPECT_EQ(slurp(dir.file("outcomes.jsonl")).find(token), std::string::npos);
    std::string db_bytes = slurp(dir.file("outcomes.db")) + slurp(dir.file("outcomes.db-wal"));
    EXPECT_EQ(db_bytes.find(token), std::string::npos);
    EXPECT_NE(slurp(dir.file("outcomes.jsonl")).find("op-auth"), std::string::npos);
}

// ---- TLS ---------------------------------------------------------------------

namespace {

// A self-signed certificate for `san` ("IP:127.0.0.1" or "DNS:localhost").
void make_certificate(const TempDir& dir, const std::string& san) {
    int rc = run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                          dir.file("key.pem"), "-out", dir.file("cert.pem"), "-days", "1", "-subj",
                          "/CN=conflictlab-test", "-addext", "subjectAltName=" + san});
    ASSERT_EQ(rc, 0) << "openssl req failed";
}

TransportError first_error(HttpClient& client) {
    std::promise<HttpResult> p;
    SendRequest r;
    r.method = "GET";
    r.path = "/healthz";
    r.timeout = 5s;
    client.send(r, [&](HttpResult res) { p.set_value(std::move(res)); });
    HttpResult res = p.get_future().get();
    if (auto* e = std::get_if<TransportError>(&res))
        return *e;
    ADD_FAILURE() << "expected a TLS failure, got HTTP " << std::get<Response>(res).status;
    return {};
}

}  // namespace

class MockTls : public ::testing::TestWithParam<Kind> {};

TEST_P(MockTls, VerificationOnByDefaultCaFileOrInsecureSwitch) {
    TempDir dir;
    make_certificate(dir, "IP:127.0.0.1");
    MockProcess mock({"--tls-cert", dir.file("cert.pem"), "--tls-key", dir.file("key.pem")});
    ASSERT_EQ(mock.url().rfind("https://", 0), 0u) << mock.url();

    // 1. Default: the system store does not trust it -> tls error, nothing sent.
    {
        HttpClient client({.base_url = mock.url()});
        TransportError e = first_error(client);
        EXPECT_EQ(e.kind, TransportErrorKind::tls) << e.detail;
        EXPECT_FALSE(e.may_have_reached_server);
        EXPECT_NE(e.detail.find("self-signed"), std::string::npos) << e.detail;
        DriverOptions o;
        o.http.base_url = mock.url();
        Policy p = quick_policy();
        p.max_attempts = 2;
        Resolved run = resolve(GetParam(), o, make_update("t", {{"x", 1}}, "\"v1\"", "op-tls"), p);
        EXPECT_EQ(run.outcome.kind, OutcomeKind::failed);
        ASSERT_FALSE(run.outcome.steps.empty());
        EXPECT_EQ(run.outcome.steps[0].error, "tls");
    }
    // 2. ca_file trusts it -> works, host name verified against IP:127.0.0.1.
    {
        Admin admin(mock.url(), {.ca_file = dir.file("cert.pem")});
        std::string etag = admin.put("t", {{"x", 0}});
        DriverOptions o;
        o.http.base_url = mock.url();
        o.http.ca_file = dir.file("cert.pem");
        Resolved run =
            resolve(GetParam(), o, make_update("t", {{"x", 1}}, etag, "op-ca"), quick_policy());
        EXPECT_EQ(run.outcome.kind, OutcomeKind::success) << describe(run.outcome);
    }
    // 3. insecure_skip_verify -> works without trusting anything.
    {
        Admin admin(mock.url(), {.insecure_skip_verify = true});
        std::string etag = admin.get("t").etag;
        DriverOptions o;
        o.http.base_url = mock.url();
        o.http.insecure_skip_verify = true;
        Resolved run = resolve(GetParam(), o, make_update("t", {{"x", 2}}, etag, "op-insecure"),
                               quick_policy());
        EXPECT_EQ(run.outcome.kind, OutcomeKind::success) << describe(run.outcome);
    }
}

TEST(MockTlsHostName, MismatchIsRejectedEvenWithTheCa) {
    TempDir dir;
    make_certificate(dir, "DNS:not-this-host.example");
    MockProcess mock({"--tls-cert", dir.file("cert.pem"), "--tls-key", dir.file("key.pem")});
    HttpClient client({.base_url = mock.url(), .ca_file = dir.file("cert.pem")});
    TransportError e = first_error(client);
    EXPECT_EQ(e.kind, TransportErrorKind::tls) << e.detail;
    EXPECT_FALSE(e.may_have_reached_server);
}

INSTANTIATE_TEST_SUITE_P(BothDrivers, MockTls, ::testing::Values(Kind::blocking, Kind::async),
                         kind_name);
