// HttpClient against a scripted local server: results, error kinds and
// may_have_reached_server, keep-alive reuse, the pool bound and its queue,
// stale connections, limits, and redaction of the request log.
#include "conflictlab/engine/http_client.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <mutex>

#include "canned_server.hpp"

using namespace conflictlab;
using namespace conflictlab::engine;
using namespace conflictlab::engine::testing;
using namespace std::chrono_literals;

namespace {

SendRequest get(std::string path, std::chrono::milliseconds timeout = 5s) {
    SendRequest r;
    r.method = "GET";
    r.path = std::move(path);
    r.timeout = timeout;
    r.purpose = RequestPurpose::fetch;
    return r;
}

HttpResult send_sync(HttpClient& client, SendRequest r) {
    std::promise<HttpResult> p;
    auto f = p.get_future();
    client.send(std::move(r), [&p](HttpResult res) { p.set_value(std::move(res)); });
    EXPECT_EQ(f.wait_for(20s), std::future_status::ready);
    return f.get();
}

const Response& response_of(const HttpResult& r) {
    if (const auto* e = std::get_if<TransportError>(&r)) {
        ADD_FAILURE() << "transport error: " << transport_error_kind_name(e->kind) << " "
                      << e->detail;
        static Response empty;
        return empty;
    }
    return std::get<Response>(r);
}

TransportError error_of(const HttpResult& r) {
    if (const auto* e = std::get_if<TransportError>(&r))
        return *e;
    ADD_FAILURE() << "expected a transport error, got status " << std::get<Response>(r).status;
    return {};
}

CannedReply ok(std::string body = "{}") {
    return {http_response(200, body, {{"ETag", "\"v1\""}, {"Content-Type", "application/json"}})};
}

}  // namespace

TEST(HttpClient, ResponseStatusHeadersBodyAndReceivedWall) {
    CannedServer server([](const CannedRequest&) { return ok(R"({"a":1})"); });
    HttpClient client({.base_url = server.base_url() + "/api"});
    auto before = std::chrono::system_clock::now();
    const Response r = response_of(send_sync(client, get("/resources/x")));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.get("etag"), "\"v1\"");
    EXPECT_EQ(r.body, R"({"a":1})");
    ASSERT_TRUE(r.received_wall.has_value());
    EXPECT_GE(*r.received_wall, before);
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].target, "/api/resources/x");
    EXPECT_EQ(reqs[0].headers.at("host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(reqs[0].headers.at("user-agent"), "conflictlab/0.1");
    EXPECT_EQ(reqs[0].headers.count("authorization"), 0u);
}

TEST(HttpClient, PutCarriesBodyContentTypeAndBearerToken) {
    ::setenv("CONFLICTLAB_TEST_TOKEN", "tok-abcdef123", 1);
    CannedServer server([](const CannedRequest&) { return ok(); });
    HttpClient client(
        {.base_url = server.base_url(), .bearer_token_secret = "env:CONFLICTLAB_TEST_TOKEN"});
    SendRequest put;
    put.method = "PUT";
    put.path = "/resources/a";
    put.body = R"({"x":1})";
    put.timeout = 5s;
    EXPECT_EQ(response_of(send_sync(client, put)).status, 200);
    auto req = server.requests().at(0);
    EXPECT_EQ(req.method, "PUT");
    EXPECT_EQ(req.body, R"({"x":1})");
    EXPECT_EQ(req.headers.at("content-length"), "7");
    EXPECT_EQ(req.headers.at("content-type"), "application/json");
    EXPECT_EQ(req.headers.at("authorization"), "Bearer tok-abcdef123");
}

TEST(HttpClient, RequestLogRedactsTheToken) {
    ::setenv("CONFLICTLAB_TEST_TOKEN", "tok-abcdef123", 1);
    CannedServer server([](const CannedRequest&) { return ok(); });
    std::mutex m;
    std::vector<std::string> lines;
    HttpClient client({.base_url = server.base_url(),
                       .bearer_token_secret = "env:CONFLICTLAB_TEST_TOKEN",
                       .request_log = [&](std::string_view l) {
                           std::lock_guard lock(m);
                           lines.emplace_back(l);
                       }});
    send_sync(client, get("/resources/a"));
    std::lock_guard lock(m);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].find("tok-abcdef123"), std::string::npos) << lines[0];
    auto j = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(j["request_headers"]["Authorization"], "Bearer ***");
    EXPECT_EQ(j["status"], 200);
    EXPECT_EQ(j["purpose"], "fetch");
    EXPECT_EQ(j["url"], server.base_url() + "/resources/a");
}

TEST(HttpClient, KeepAliveReusesOneConnection) {
    CannedServer server([](const CannedRequest&) { return ok(); });
    HttpClient client({.base_url = server.base_url()});
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(response_of(send_sync(client, get("/r"))).status, 200);
    EXPECT_EQ(server.connections(), 1);
    HttpClientStats s = client.stats();
    EXPECT_EQ(s.connections_opened, 1u);
    EXPECT_EQ(s.connections_reused, 4u);
    EXPECT_EQ(s.responses, 5u);
}

TEST(HttpClient, ConnectionCloseIsNotReused) {
    CannedServer server([](const CannedRequest&) {
        return CannedReply{http_response(200, "{}", {{"Connection", "close"}}), Fate::respond, 0ms,
                           true};
    });
    HttpClient client({.base_url = server.base_url()});
    send_sync(client, get("/r"));
    send_sync(client, get("/r"));
    EXPECT_EQ(server.connections(), 2);
    EXPECT_EQ(client.stats().connections_reused, 0u);
}

TEST(HttpClient, StaleIdleConnectionIsDetectedNotFailed) {
    // The server closes every connection right after answering, without
    // saying so: the pooled connection is dead by the time it is reused.
    CannedServer server([](const CannedRequest&) {
        return CannedReply{http_response(200), Fate::respond, 0ms, true};
    });
    HttpClient client({.base_url = server.base_url()});
    EXPECT_EQ(response_of(send_sync(client, get("/r"))).status, 200);
    // Give the FIN time to arrive (it is sent right after the response).
    for (int i = 0; i < 100 && server.requests().size() < 1; ++i)
        std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(response_of(send_sync(client, get("/r"))).status, 200);
    EXPECT_EQ(server.connections(), 2);
    EXPECT_EQ(client.stats().transport_errors, 0u);
    EXPECT_GE(client.stats().connections_discarded, 1u);
}

TEST(HttpClient, ConnectRefusedNothingReachedTheServer) {
    HttpClient client({.base_url = "http://127.0.0.1:" + std::to_string(unused_port())});
    TransportError e = error_of(send_sync(client, get("/r")));
    EXPECT_EQ(e.kind, TransportErrorKind::connect);
    EXPECT_FALSE(e.may_have_reached_server);
    EXPECT_NE(e.detail.find("connect http://127.0.0.1:"), std::string::npos) << e.detail;
}

TEST(HttpClient, CloseWithoutResponseIsResetThatMayHaveReached) {
    CannedServer server([](const CannedRequest&) { return CannedReply{"", Fate::close}; });
    HttpClient client({.base_url = server.base_url()});
    TransportError e = error_of(send_sync(client, get("/r")));
    EXPECT_EQ(e.kind, TransportErrorKind::reset);
    EXPECT_TRUE(e.may_have_reached_server);
    EXPECT_EQ(client.stats().connections_open_now, 0u);  // discarded, not pooled
}

TEST(HttpClient, TcpResetIsReset) {
    CannedServer server([](const CannedRequest&) { return CannedReply{"", Fate::reset}; });
    HttpClient client({.base_url = server.base_url()});
    TransportError e = error_of(send_sync(client, get("/r")));
    EXPECT_EQ(e.kind, TransportErrorKind::reset);
    EXPECT_TRUE(e.may_have_reached_server);
}

TEST(HttpClient, HangIsTimeoutWithinTheRequestTimeout) {
    CannedServer server([](const CannedRequest&) { return CannedReply{"", Fate::hang}; });
    HttpClient client({.base_url = server.base_url()});
    auto start = std::chrono::steady_clock::now();
    TransportError e = error_of(send_sync(client, get("/r", 200ms)));
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(e.kind, TransportErrorKind::timeout);
    EXPECT_TRUE(e.may_have_reached_server);
    EXPECT_GE(elapsed, 190ms);
    EXPECT_LT(elapsed, 2s);
}

TEST(HttpClient, GarbageResponseIsProtocolError) {
    CannedServer server(
        [](const CannedRequest&) { return CannedReply{"NOT HTTP AT ALL\r\n\r\n"}; });
    HttpClient client({.base_url = server.base_url()});
    TransportError e = error_of(send_sync(client, get("/r")));
    EXPECT_EQ(e.kind, TransportErrorKind::protocol);
    EXPECT_TRUE(e.may_have_reached_server);
}

TEST(HttpClient, BodyOverTheLimitIsProtocolError) {
    CannedServer server([](const CannedRequest&) {
        return CannedReply{http_response(200, std::string(2000, 'x'))};
    });
    HttpClient client({.base_url = server.base_url(), .response_body_bytes_limit = 1000});
    TransportError e = error_of(send_sync(client, get("/r")));
    EXPECT_EQ(e.kind, TransportErrorKind::protocol);
    EXPECT_NE(e.detail.find("body limit"), std::string::npos) << e.detail;
}

TEST(HttpClient, PoolBoundQueuesRequestsOnOneConnection) {
    CannedServer server([](const CannedRequest&) {
        return CannedReply{http_response(200), Fate::respond, 100ms};
    });
    HttpClient client({.base_url = server.base_url(), .max_connections = 1}, 2);
    std::promise<void> p1, p2, p3;
    int ok1 = 0, ok2 = 0, ok3 = 0;
    client.send(get("/1"), [&](HttpResult r) {
        ok1 = std::get<Response>(r).status;
        p1.set_value();
    });
    client.send(get("/2"), [&](HttpResult r) {
        ok2 = std::get<Response>(r).status;
        p2.set_value();
    });
    client.send(get("/3"), [&](HttpResult r) {
        ok3 = std::get<Response>(r).status;
        p3.set_value();
    });
    p1.get_future().wait();
    p2.get_future().wait();
    p3.get_future().wait();
    EXPECT_EQ(ok1 + ok2 + ok3, 600);
    EXPECT_EQ(server.connections(), 1);
    EXPECT_EQ(client.stats().queued, 2u);
    EXPECT_EQ(client.stats().queue_length_now, 0u);
}

TEST(HttpClient, QueuedRequestTimesOutWithoutReachingTheServer) {
    CannedServer server([](const CannedRequest&) { return CannedReply{"", Fate::hang}; });
    HttpClient client({.base_url = server.base_url(), .max_connections = 1});
    std::promise<HttpResult> first;
    client.send(get("/hang", 1s), [&](HttpResult r) { first.set_value(std::move(r)); });
    TransportError e = error_of(send_sync(client, get("/queued", 100ms)));
    EXPECT_EQ(e.kind, TransportErrorKind::timeout);
    EXPECT_FALSE(e.may_have_reached_server);
    EXPECT_EQ(client.stats().queue_timeouts, 1u);
    EXPECT_EQ(error_of(first.get_future().get()).kind, TransportErrorKind::timeout);
}

TEST(HttpClient, QueueFullFailsAtOnce) {
    CannedServer server([](const CannedRequest&) { return CannedReply{"", Fate::hang}; });
    HttpClient client(
        {.base_url = server.base_url(), .max_connections = 1, .max_queued_requests = 1});
    std::promise<void> a, b;
    client.send(get("/1", 500ms), [&](HttpResult) { a.set_value(); });
    client.send(get("/2", 500ms), [&](HttpResult) { b.set_value(); });
    TransportError e = error_of(send_sync(client, get("/3", 500ms)));
    EXPECT_EQ(e.kind, TransportErrorKind::connect);
    EXPECT_FALSE(e.may_have_reached_server);
    EXPECT_EQ(e.detail, "request queue full (1 waiting for a connection)");
    a.get_future().wait();
    b.get_future().wait();
}

TEST(HttpClient, HeaderInjectionIsRefusedBeforeSending) {
    CannedServer server([](const CannedRequest&) { return ok(); });
    HttpClient client({.base_url = server.base_url()});
    SendRequest r = get("/r");
    r.headers.add("X-Correlation-Id", "a\r\nX-Evil: 1");
    TransportError e = error_of(send_sync(client, r));
    EXPECT_EQ(e.kind, TransportErrorKind::protocol);
    EXPECT_FALSE(e.may_have_reached_server);
    EXPECT_TRUE(server.requests().empty());
}

TEST(HttpClient, BadOptionsAreClearErrors) {
    EXPECT_THROW(HttpClient({.base_url = "ftp://x"}), TargetError);
    ::unsetenv("CONFLICTLAB_NO_SUCH_TOKEN");
    try {
        HttpClient c({.base_url = "http://127.0.0.1:1",
                      .bearer_token_secret = "env:CONFLICTLAB_NO_SUCH_TOKEN"});
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(),
                     "secret: environment variable CONFLICTLAB_NO_SUCH_TOKEN is not set or empty");
    }
    try {
        HttpClient c({.base_url = "https://127.0.0.1:1", .ca_file = "/nonexistent/ca.pem"});
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_TRUE(std::string(e.what()).starts_with("ca_file: cannot load /nonexistent/ca.pem"))
            << e.what();
    }
}
