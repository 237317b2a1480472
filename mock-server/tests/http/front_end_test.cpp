// The Beast front end driven over real loopback sockets with a fake handler:
// framing, limits, timeouts, connection fates, pipelining, 100-continue and
// the two-phase stop. Timing tests use short limits (hundreds of ms) and
// assert bounds, never exact durations.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "conflictlab/mock/http/mock_http_server.hpp"
#include "test_client.hpp"

namespace conflictlab::mock::http {
namespace {

using namespace std::chrono_literals;
using testing::ConnectionEnd;
using testing::RawConnection;
using Clock = std::chrono::steady_clock;

struct Observation {
    std::string method;
    int status;
};

class FakeHandler final : public ExchangeHandler {
  public:
    std::function<Response(const Request&)> answer = [](const Request& r) {
        Response out;
        out.headers.set("Content-Type", "application/json");
        out.body = "{\"target\":\"" + r.target + "\"}";
        return out;
    };

    Response handle(const Request& r) override {
        {
            std::lock_guard lock(mutex_);
            seen_.push_back(r);
        }
        changed_.notify_all();
        return answer(r);
    }

    void observe_latency(std::string_view method, int status, std::chrono::nanoseconds) override {
        std::lock_guard lock(mutex_);
        observed_.push_back({std::string(method), status});
    }

    std::vector<Request> seen() const {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    std::vector<Observation> observed() const {
        std::lock_guard lock(mutex_);
        return observed_;
    }
    bool wait_for_requests(std::size_t n, std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return seen_.size() >= n; });
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Request> seen_;
    std::vector<Observation> observed_;
};

ListenerOptions test_options() {
    ListenerOptions o;
    o.port = 0;
    o.threads = 2;
    o.read_timeout = 2s;
    o.idle_timeout = 5s;
    o.hang_limit = 2s;
    o.shutdown_grace = 2s;
    return o;
}

class FrontEnd : public ::testing::Test {
  protected:
    void serve(ListenerOptions options = test_options()) {
        server_ = std::make_unique<MockHttpServer>(handler_, std::move(options));
        port_ = server_->start();
    }
    void TearDown() override {
        if (server_)
            server_->stop();
    }

    FakeHandler handler_;
    std::unique_ptr<MockHttpServer> server_;
    std::uint16_t port_ = 0;
};

constexpr std::string_view kGet = "GET /resources/a HTTP/1.1\r\nHost: t\r\n\r\n";

TEST_F(FrontEnd, KeepAlive_ServesSeveralRequestsOnOneConnection) {
    serve();
    RawConnection c(port_);
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(c.send(kGet));
        auto r = c.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, R"({"target":"/resources/a"})");
        EXPECT_EQ(r->header("Content-Length"), "25");
    }
    EXPECT_EQ(server_->stats().connections_accepted, 1u);
    EXPECT_EQ(server_->stats().requests, 3u);
}

TEST_F(FrontEnd, PassesMethodTargetHeadersBodyAndPeerToTheCore) {
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(
        c.send("PUT /resources/b?x=1 HTTP/1.1\r\nHost: t\r\nIf-Match: \"3\"\r\n"
               "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"));
    ASSERT_TRUE(c.read_response());
    auto seen = handler_.seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "PUT");
    EXPECT_EQ(seen[0].target, "/resources/b?x=1");
    EXPECT_EQ(seen[0].headers.get("if-match").value_or(""), "\"3\"");
    EXPECT_EQ(seen[0].body, "{\"a\":1}");
    EXPECT_TRUE(seen[0].peer.starts_with("127.0.0.1:")) << seen[0].peer;
}

TEST_F(FrontEnd, Rfc9110_Head_CarriesContentLengthOfTheOmittedBody) {
    handler_.answer = [](const Request&) {
        Response r;
        r.head = true;
        r.body = "12345";
        return r;
    };
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send("HEAD /resources/a HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto r = c.read_response(/*head_request=*/true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Content-Length"), "5");
    // No body bytes followed: the next response on the connection parses.
    ASSERT_TRUE(c.send("HEAD /resources/a HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto again = c.read_response(true);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
}

TEST_F(FrontEnd, Rfc9110_Head_NeverCarriesABodyEvenIfTheHandlerForgets) {
    handler_.answer = [](const Request&) {
        Response r;
        r.status = 404;
        r.body = "not found";  // head left false
        return r;
    };
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\nGET /y HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto head = c.read_response(/*head_request=*/true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->header("Content-Length"), "9");
    auto next = c.read_response();
    ASSERT_TRUE(next);  // would be garbage had the HEAD answer carried a body
    EXPECT_EQ(next->body, "not found");
}

TEST_F(FrontEnd, Rfc9110_OriginServerSendsDate) {
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send(kGet));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->header("Date").ends_with(" GMT")) << r->head;
}

TEST_F(FrontEnd, Rfc9110_NotModified_HasNeitherBodyNorContentLength) {
    handler_.answer = [](const Request&) {
        Response r;
        r.status = 304;
        r.headers.set("ETag", "\"1\"");
        r.body = "ignored";
        return r;
    };
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send(kGet));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 304);
    EXPECT_EQ(r->header("Content-Length"), "");
    EXPECT_EQ(r->header("ETag"), "\"1\"");
}

TEST_F(FrontEnd, CoreFramingHeadersAreReplaced) {
    handler_.answer = [](const Request&) {
        Response r;
        r.headers.set("Content-Length", "999");
        r.headers.set("Connection", "close");
        r.body = "ok";
        return r;
    };
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send(kGet));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Content-Length"), "2");
    ASSERT_TRUE(c.send(kGet));  // still keep-alive
    EXPECT_TRUE(c.read_response());
}

TEST_F(FrontEnd, BodyOverLimit_Is413ProblemAndCloses) {
    auto o = test_options();
    o.body_limit_bytes = 16;
    serve(o);
    RawConnection c(port_);
    ASSERT_TRUE(c.send("PUT /resources/a HTTP/1.1\r\nHost: t\r\nContent-Length: 32\r\n\r\n" +
                       std::string(32, 'x')));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->header("Content-Type"), "application/problem+json");
    EXPECT_NE(r->body.find("16 bytes"), std::string::npos) << r->body;
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_EQ(c.read_until_closed(), ConnectionEnd::eof);
    EXPECT_TRUE(handler_.seen().empty());
    EXPECT_EQ(server_->stats().bad_requests, 1u);
}

TEST_F(FrontEnd, ChunkedBodyOverLimit_Is413) {
    auto o = test_options();
    o.body_limit_bytes = 16;
    serve(o);
    RawConnection c(port_);
    ASSERT_TRUE(
        c.send("PUT /resources/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
               "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_TRUE(handler_.seen().empty());
}

TEST_F(FrontEnd, Rfc6585_HeaderBlockOverLimit_Is431) {
    auto o = test_options();
    o.header_limit_bytes = 1024;
    serve(o);
    RawConnection c(port_);
    ASSERT_TRUE(
        c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(2000, 'b') + "\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
    EXPECT_NE(r->body.find("1024 bytes"), std::string::npos) << r->body;
    EXPECT_TRUE(handler_.seen().empty());
}

TEST_F(FrontEnd, GarbageRequestLine_Is400Problem) {
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send("THIS IS NOT HTTP\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_NE(r->body.find("malformed HTTP request"), std::string::npos) << r->body;
    EXPECT_EQ(c.read_until_closed(), ConnectionEnd::eof);
    EXPECT_TRUE(handler_.seen().empty());
}

TEST_F(FrontEnd, BadContentLength_Is400) {
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send("PUT /r HTTP/1.1\r\nHost: t\r\nContent-Length: 12abc\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
}

TEST_F(FrontEnd, Pipelined_AnsweredInOrder) {
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(
        c.send("GET /one HTTP/1.1\r\nHost: t\r\n\r\nGET /two HTTP/1.1\r\nHost: t\r\n\r\n"
               "GET /three HTTP/1.1\r\nHost: t\r\n\r\n"));
    for (std::string_view target : {"/one", "/two", "/three"}) {
        auto r = c.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->body, "{\"target\":\"" + std::string(target) + "\"}");
    }
}

TEST_F(FrontEnd, Rfc9110_ExpectContinue_Sends100BeforeTheBody) {
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(
        c.send("PUT /r HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
               "Content-Length: 5\r\n\r\n"));
    auto interim = c.read_response();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    ASSERT_TRUE(c.send("hello"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(handler_.seen().at(0).body, "hello");
}

TEST_F(FrontEnd, Http10_ClosesAfterTheResponse) {
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send("GET /r HTTP/1.0\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->head.starts_with("HTTP/1.0 200"));
    EXPECT_EQ(c.read_until_closed(), ConnectionEnd::eof);
}

TEST_F(FrontEnd, Delay_ResponseWaitsWithoutBlockingOthers) {
    handler_.answer = [](const Request& r) {
        Response out;
        if (r.target == "/slow")
            out.delay = 300ms;
        out.body = r.target;
        return out;
    };
    auto o = test_options();
    o.threads = 1;  // a sleeping thread would stall the fast request
    serve(o);
    RawConnection slow(port_), fast(port_);
    const auto t0 = Clock::now();
    ASSERT_TRUE(slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(handler_.wait_for_requests(1, 2s));
    ASSERT_TRUE(fast.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto f = fast.read_response();
    ASSERT_TRUE(f);
    EXPECT_LT(Clock::now() - t0, 250ms);
    auto s = slow.read_response();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->body, "/slow");
    EXPECT_GE(Clock::now() - t0, 300ms);
}

TEST_F(FrontEnd, FateReset_ClientSeesReset) {
    handler_.answer = [](const Request&) {
        Response r;
        r.fate = ConnectionFate::reset;
        return r;
    };
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send(kGet));
    std::string got;
    EXPECT_EQ(c.read_until_closed(&got), ConnectionEnd::reset);
    EXPECT_TRUE(got.empty());
}

TEST_F(FrontEnd, FateCloseSilently_ClientSeesEofWithoutABytes) {
    handler_.answer = [](const Request&) {
        Response r;
        r.fate = ConnectionFate::close_silently;
        return r;
    };
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send(kGet));
    std::string got;
    EXPECT_EQ(c.read_until_closed(&got), ConnectionEnd::eof);
    EXPECT_TRUE(got.empty());
}

TEST_F(FrontEnd, FateHang_HoldsTheConnectionUntilTheHangLimit) {
    handler_.answer = [](const Request&) {
        Response r;
        r.fate = ConnectionFate::hang;
        return r;
    };
    auto o = test_options();
    o.hang_limit = 400ms;
    serve(o);
    RawConnection c(port_);
    const auto t0 = Clock::now();
    ASSERT_TRUE(c.send(kGet));
    std::string got;
    EXPECT_EQ(c.read_until_closed(&got), ConnectionEnd::eof);
    EXPECT_TRUE(got.empty());
    EXPECT_GE(Clock::now() - t0, 400ms);
    EXPECT_LT(Clock::now() - t0, 3s);
}

TEST_F(FrontEnd, SlowLoris_HeaderTrickleIsCutAtTheReadTimeout) {
    auto o = test_options();
    o.read_timeout = 400ms;
    o.idle_timeout = 10s;
    serve(o);
    RawConnection c(port_, 200ms);
    const auto t0 = Clock::now();
    ASSERT_TRUE(c.send("GET / HTTP/1.1\r\n"));
    // One header byte every 100 ms: each read succeeds, the request never ends.
    bool closed = false;
    for (int i = 0; i < 40 && !closed; ++i) {
        std::this_thread::sleep_for(100ms);
        closed = !c.send("X");
        std::string ignored;
        if (!closed && c.read_until_closed(&ignored) != ConnectionEnd::timeout)
            closed = true;
    }
    EXPECT_TRUE(closed);
    EXPECT_LT(Clock::now() - t0, 2s);
    // Beast's tcp_stream closes the socket in its timer handler; the read
    // that then fails, and counts the timeout, completes a moment later, so
    // the client can see the close first (a wide window under TSan).
    const auto until = Clock::now() + 2s;
    while (server_->stats().timeouts == 0 && Clock::now() < until)
        std::this_thread::sleep_for(5ms);
    EXPECT_EQ(server_->stats().timeouts, 1u);
    EXPECT_TRUE(handler_.seen().empty());
}

TEST_F(FrontEnd, IdleKeepAliveConnection_ClosedAfterTheIdleTimeout) {
    auto o = test_options();
    o.idle_timeout = 300ms;
    serve(o);
    RawConnection c(port_);
    ASSERT_TRUE(c.send(kGet));
    ASSERT_TRUE(c.read_response());
    const auto t0 = Clock::now();
    EXPECT_EQ(c.read_until_closed(), ConnectionEnd::eof);
    EXPECT_GE(Clock::now() - t0, 250ms);
}

TEST_F(FrontEnd, MaxConnections_ExtraConnectionIsClosedAndCounted) {
    auto o = test_options();
    o.max_connections = 1;
    serve(o);
    RawConnection first(port_);
    ASSERT_TRUE(first.send(kGet));
    ASSERT_TRUE(first.read_response());
    RawConnection second(port_);
    second.send(kGet);
    EXPECT_NE(second.read_until_closed(), ConnectionEnd::timeout);
    EXPECT_EQ(server_->stats().connections_rejected, 1u);
    ASSERT_TRUE(first.send(kGet));  // the first one is unaffected
    EXPECT_TRUE(first.read_response());
}

TEST_F(FrontEnd, ObserveLatency_ReportedOncePerWrittenResponse) {
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send(kGet));
    ASSERT_TRUE(c.read_response());
    ASSERT_TRUE(c.send("GARBAGE\r\n\r\n"));
    ASSERT_TRUE(c.read_response());
    c.read_until_closed();
    auto observed = handler_.observed();
    ASSERT_EQ(observed.size(), 1u);
    EXPECT_EQ(observed[0].method, "GET");
    EXPECT_EQ(observed[0].status, 200);
}

TEST_F(FrontEnd, HandlerThatThrows_Is500WithoutItsMessage) {
    handler_.answer = [](const Request&) -> Response { throw std::runtime_error("secret-detail"); };
    serve();
    RawConnection c(port_);
    ASSERT_TRUE(c.send(kGet));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_EQ(r->body.find("secret-detail"), std::string::npos);
}

TEST_F(FrontEnd, Stop_LetsAnInFlightDelayedResponseFinish) {
    handler_.answer = [](const Request& request) {
        Response r;
        if (request.target == "/late")
            r.delay = 300ms;
        r.body = "late";
        return r;
    };
    serve();
    RawConnection busy(port_), idle(port_);
    ASSERT_TRUE(idle.send(kGet));
    ASSERT_TRUE(idle.read_response());
    ASSERT_TRUE(busy.send("GET /late HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(handler_.wait_for_requests(2, 2s));
    std::thread stopper([&] { server_->stop(); });
    auto r = busy.read_response();
    stopper.join();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "late");
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_EQ(busy.read_until_closed(), ConnectionEnd::eof);
    EXPECT_NE(idle.read_until_closed(), ConnectionEnd::timeout);
    // Nothing listens any more.
    EXPECT_THROW(RawConnection{port_}, std::runtime_error);
}

TEST_F(FrontEnd, Stop_ForceClosesWhatOutlastsTheGrace) {
    handler_.answer = [](const Request&) {
        Response r;
        r.delay = 10s;
        return r;
    };
    auto o = test_options();
    o.shutdown_grace = 200ms;
    o.hang_limit = 20s;
    serve(o);
    RawConnection c(port_);
    ASSERT_TRUE(c.send(kGet));
    ASSERT_TRUE(handler_.wait_for_requests(1, 2s));
    const auto t0 = Clock::now();
    server_->stop();
    EXPECT_LT(Clock::now() - t0, 2s);
    EXPECT_NE(c.read_until_closed(), ConnectionEnd::timeout);
}

TEST_F(FrontEnd, Stop_IsIdempotentAndWaitReturnsAfterIt) {
    serve();
    server_->stop();
    server_->stop();
    server_->wait();
    SUCCEED();
}

TEST(FrontEndOptions, InvalidValuesAreRejectedByName) {
    FakeHandler handler;
    auto o = test_options();
    o.threads = 0;
    MockHttpServer server(handler, o);
    try {
        server.start();
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_TRUE(std::string(e.what()).starts_with("threads:")) << e.what();
    }
}

TEST(FrontEndOptions, UnreadableCertificateIsNamed) {
    FakeHandler handler;
    auto o = test_options();
    o.tls_cert_file = "/nonexistent/cert.pem";
    o.tls_key_file = "/nonexistent/key.pem";
    MockHttpServer server(handler, o);
    try {
        server.start();
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/cert.pem"), std::string::npos)
            << e.what();
    }
}

TEST(FrontEndOptions, PortInUseIsReported) {
    FakeHandler handler;
    MockHttpServer first(handler, test_options());
    const auto port = first.start();
    auto o = test_options();
    o.port = port;
    MockHttpServer second(handler, o);
    EXPECT_THROW(second.start(), std::runtime_error);
}

TEST(FrontEndOptions, BadAddressIsReported) {
    FakeHandler handler;
    auto o = test_options();
    o.address = "localhost-ish";
    MockHttpServer server(handler, o);
    EXPECT_THROW(server.start(), std::runtime_error);
}

}  // namespace
}  // namespace conflictlab::mock::http
