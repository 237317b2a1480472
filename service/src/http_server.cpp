// HttpServer: one io_context run by several threads; each connection is a
// Session on its own strand (Beast's async server example), so a session's
// handlers never run concurrently and need no mutex. The handler's answer
// may come from any thread: it is posted back to the session's strand.
//
// A session loops: read (fresh parser, limits, deadline) -> handle (the
// RequestHandler, no socket involved) -> write (deadline) -> read again, or
// close when the request or the server says so.
#include "conflictlab/service/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace conflictlab::service {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kForceWait{2'000};
constexpr std::chrono::milliseconds kAcceptRetry{50};
// Lingering close after a 4xx for malformed or oversized input: how long and
// how much of what the client still sends (the rest of a body over the limit)
// is read and discarded, so that its kernel does not answer our close with a
// reset that destroys the 4xx before the client has read it.
constexpr std::chrono::milliseconds kLingerTime{2'000};
constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;
constexpr std::size_t kLingerReadBytes = 64 * 1024;

void validate(const HttpServerOptions& o) {
    auto fail = [](const std::string& m) { throw std::invalid_argument(m); };
    if (o.threads < 1 || o.threads > 256)
        fail("threads: must be in [1, 256]");
    if (o.body_limit_bytes < 1)
        fail("body_limit_bytes: must be at least 1");
    if (o.header_limit_bytes < 256)
        fail("header_limit_bytes: must be at least 256");
    if (o.max_connections < 1)
        fail("max_connections: must be at least 1");
    if (o.read_timeout.count() <= 0 || o.write_timeout.count() <= 0)
        fail("read_timeout, write_timeout: must be positive");
}

class Session;

// What every session shares; owned by the server's Impl.
struct Shared {
    RequestHandler& handler;
    const HttpServerOptions& options;
    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> active{0};
    std::mutex mutex;
    std::condition_variable empty;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

    Shared(RequestHandler& h, const HttpServerOptions& o) : handler(h), options(o) {}

    std::vector<std::shared_ptr<Session>> snapshot() {
        std::lock_guard lock(mutex);
        std::vector<std::shared_ptr<Session>> out;
        for (auto& [key, weak] : sessions) {
            if (auto s = weak.lock())
                out.push_back(std::move(s));
        }
        return out;
    }

    template <class TimePoint>
    bool wait_until_empty(TimePoint deadline) {
        std::unique_lock lock(mutex);
        return empty.wait_until(lock, deadline, [&] { return sessions.empty(); });
    }
};

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(Shared& shared, tcp::socket&& socket) : shared_(shared), stream_(std::move(socket)) {}

    ~Session() {
        std::lock_guard lock(shared_.mutex);
        shared_.sessions.erase(this);
        --shared_.active;
        if (shared_.sessions.empty())
            shared_.empty.notify_all();
    }

    void start() {
        {
            std::lock_guard lock(shared_.mutex);
            shared_.sessions.emplace(this, weak_from_this());
        }
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
    }

    // Phase one of a stop: close if waiting for a request (or discarding
    // after a rejected one); otherwise the answer in progress is the last one.
    void begin_shutdown() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->reading_ || self->lingering_)
                self->close();
        });
    }

    void force_close() {
        net::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
    }

  private:
    void do_read() {
        if (shared_.stopping.load()) {
            close();
            return;
        }
        parser_.emplace();
        parser_->body_limit(shared_.options.body_limit_bytes);
        parser_->header_limit(static_cast<std::uint32_t>(shared_.options.header_limit_bytes));
        reading_ = true;
        stream_.expires_after(shared_.options.read_timeout);
        bhttp::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        reading_ = false;
        if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == beast::error::timeout || closed_) {
            close();
            return;
        }
        if (ec == bhttp::error::body_limit) {
            reject(413, "payload-too-large", "Payload Too Large",
                   "the request body is larger than " +
                       std::to_string(shared_.options.body_limit_bytes) + " bytes");
            return;
        }
        if (ec == bhttp::error::header_limit) {
            reject(431, "headers-too-large", "Request Header Fields Too Large",
                   "the request header block is too large");
            return;
        }
        if (ec) {
            if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
                reject(400, "bad-request", "Bad Request", "malformed HTTP request");
            } else {
                close();
            }
            return;
        }
        auto message = parser_->release();
        keep_alive_ = message.keep_alive();
        HttpRequest request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        for (const auto& field : message)
            request.headers.add(std::string(field.name_string()), std::string(field.value()));
        request.body = std::move(message.body());
        version_ = message.version();
        stream_.expires_never();
        try {
            shared_.handler.handle(std::move(request), [self = shared_from_this()](
                                                           HttpResponse response) {
                net::post(self->stream_.get_executor(),
                          [self, r = std::move(response)]() mutable { self->write(std::move(r)); });
            });
        } catch (const std::exception& e) {
            // A handler that throws is a bug: answer 500 rather than hang.
            std::cerr << "conflictlab serve: request handler error: " << e.what() << "\n";
            keep_alive_ = false;
            write(problem_response(500, "internal-error", "Internal Server Error",
                                   "unexpected error; see the service log"));
        }
    }

    void reject(int status, std::string_view slug, std::string_view title,
                std::string_view detail) {
        keep_alive_ = false;
        linger_after_write_ = true;
        version_ = 11;
        write(problem_response(status, slug, title, detail));
    }

    void write(HttpResponse r) {
        if (closed_)
            return;
        auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
        res->version(version_);
        res->result(static_cast<unsigned>(r.status));
        for (const auto& [name, value] : r.headers.fields())
            res->set(name, value);
        res->set(bhttp::field::server, "conflictlab-serve");
        res->body() = std::move(r.body);
        res->keep_alive(keep_alive_ && !shared_.stopping.load());
        res->prepare_payload();
        stream_.expires_after(shared_.options.write_timeout);
        bhttp::async_write(stream_, *res,
                           [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                               self->on_write(ec, res->keep_alive());
                           });
    }

    void on_write(beast::error_code ec, bool keep_alive) {
        if (ec) {
            close();
            return;
        }
        if (linger_after_write_) {
            // Stop sending, then discard what the client still sends.
            lingering_ = true;
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            stream_.expires_after(kLingerTime);
            discard(kLingerBytes);
            return;
        }
        if (!keep_alive) {
            close();
            return;
        }
        do_read();
    }

    // Reads and drops bytes until the client closes, the linger deadline
    // passes (the stream's expiry) or `bytes_left` is used up; then closes.
    void discard(std::size_t bytes_left) {
        if (bytes_left == 0 || closed_) {
            close();
            return;
        }
        buffer_.clear();
        auto into = buffer_.prepare(kLingerReadBytes);
        stream_.async_read_some(
            into, [self = shared_from_this(), bytes_left](beast::error_code ec, std::size_t bytes) {
                if (ec) {
                    self->close();
                    return;
                }
                self->discard(bytes_left - std::min(bytes, bytes_left));
            });
    }

    void close() {
        if (closed_)
            return;
        closed_ = true;
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.close();
    }

    Shared& shared_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool reading_ = false;
    bool linger_after_write_ = false;  // a rejected request: lingering close after the answer
    bool lingering_ = false;           // discarding what the client still sends
    bool closed_ = false;
};

}  // namespace

struct HttpServer::Impl {
    HttpServerOptions options;
    Shared shared;
    net::io_context ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
    std::optional<tcp::acceptor> acceptor;
    std::optional<net::steady_timer> accept_retry;
    std::vector<std::thread> threads;
    std::atomic<std::uint16_t> port{0};
    bool started = false;
    bool stopped = false;

    Impl(RequestHandler& handler, HttpServerOptions o)
        : options(std::move(o)), shared(handler, options), ioc(options.threads) {}

    std::uint16_t start() {
        if (started)
            throw std::logic_error("HttpServer::start called twice");
        started = true;
        validate(options);
        beast::error_code ec;
        const auto address = net::ip::make_address(options.address, ec);
        if (ec)
            throw std::runtime_error("invalid listen address \"" + options.address +
                                     "\": expected an IPv4 or IPv6 address");
        const tcp::endpoint endpoint(address, options.port);
        acceptor.emplace(net::make_strand(ioc));
        acceptor->open(endpoint.protocol(), ec);
        if (!ec)
            acceptor->set_option(net::socket_base::reuse_address(true), ec);
        if (!ec)
            acceptor->bind(endpoint, ec);
        if (!ec)
            acceptor->listen(net::socket_base::max_listen_connections, ec);
        if (ec)
            throw std::runtime_error("cannot listen on " + options.address + ":" +
                                     std::to_string(options.port) + ": " + ec.message());
        port = acceptor->local_endpoint().port();
        accept_retry.emplace(acceptor->get_executor());
        guard.emplace(ioc.get_executor());
        net::dispatch(acceptor->get_executor(), [this] { do_accept(); });
        for (int i = 0; i < options.threads; ++i)
            threads.emplace_back([this] { run_io(); });
        return port;
    }

    void run_io() {
        // Bounded by the work left; a throwing handler is a bug, not a crash.
        for (;;) {
            try {
                ioc.run();
                return;
            } catch (const std::exception& e) {
                std::cerr << "conflictlab serve: unexpected error on an I/O thread: " << e.what()
                          << "\n";
            }
        }
    }

    void do_accept() {
        acceptor->async_accept(
            net::make_strand(ioc),
            [this](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (!acceptor->is_open() || ec == net::error::operation_aborted)
            return;
        if (ec) {
            // E.g. out of file descriptors: wait a little instead of spinning.
            accept_retry->expires_after(kAcceptRetry);
            accept_retry->async_wait([this](beast::error_code wait_ec) {
                if (!wait_ec && acceptor->is_open())
                    do_accept();
            });
            return;
        }
        if (!shared.stopping.load() && shared.active.load() < options.max_connections) {
            ++shared.active;
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            std::make_shared<Session>(shared, std::move(socket))->start();
        }
        do_accept();
    }

    void stop() {
        if (!started || stopped)
            return;
        stopped = true;
        shared.stopping.store(true);
        net::post(acceptor->get_executor(), [this] {
            beast::error_code ignored;
            acceptor->close(ignored);
            accept_retry->cancel();
        });
        for (auto& s : shared.snapshot())
            s->begin_shutdown();
        const auto grace_end = std::chrono::steady_clock::now() + options.shutdown_grace;
        if (!shared.wait_until_empty(grace_end)) {
            for (auto& s : shared.snapshot())
                s->force_close();
            if (!shared.wait_until_empty(std::chrono::steady_clock::now() + kForceWait))
                ioc.stop();
        }
        guard.reset();
        for (auto& t : threads)
            t.join();
        threads.clear();
    }
};

HttpServer::HttpServer(RequestHandler& handler, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(handler, std::move(options))) {}

HttpServer::~HttpServer() {
    impl_->stop();
}

std::uint16_t HttpServer::start() {
    return impl_->start();
}

void HttpServer::stop() {
    impl_->stop();
}

std::uint16_t HttpServer::port() const noexcept {
    return impl_->port.load();
}

bool is_loopback_address(const std::string& address) noexcept {
    beast::error_code ec;
    const auto parsed = net::ip::make_address(address, ec);
    return !ec && parsed.is_loopback();
}

}  // namespace conflictlab::service
