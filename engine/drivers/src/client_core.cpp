#include "client_core.hpp"

#include <algorithm>
#include <type_traits>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <nlohmann/json.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "conflictlab/common/secrets.hpp"

namespace conflictlab::engine::detail {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kSweepInterval = std::chrono::milliseconds(20);

enum class Phase { resolve, connect, handshake, write, read };

const char* phase_name(Phase p) {
    switch (p) {
        case Phase::resolve:
            return "resolve";
        case Phase::connect:
            return "connect";
        case Phase::handshake:
            return "TLS handshake";
        case Phase::write:
            return "write";
        case Phase::read:
            return "read";
    }
    return "?";
}

// Which TransportErrorKind an error in `phase` is (messages.hpp vocabulary).
TransportErrorKind classify(const error_code& ec, Phase phase) {
    if (ec == beast::error::timeout)
        return TransportErrorKind::timeout;
    switch (phase) {
        case Phase::resolve:
        case Phase::connect:
            return TransportErrorKind::connect;
        case Phase::handshake:
            return TransportErrorKind::tls;
        case Phase::write:
        case Phase::read:
            break;
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category()) {
        if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
            return TransportErrorKind::reset;
        }
        return TransportErrorKind::protocol;  // bad_*, body_limit, header_limit, ...
    }
    if (ec == ssl::error::stream_truncated)
        return TransportErrorKind::reset;
    if (ec.category() == net::error::get_ssl_category())
        return TransportErrorKind::tls;
    return TransportErrorKind::reset;  // eof, ECONNRESET, EPIPE, aborted, ...
}

bool header_value_is_safe(std::string_view v) {
    return std::none_of(v.begin(), v.end(),
                        [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

template <class Stream>
class ConnectionImpl final : public Connection {
  public:
    static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

    explicit ConnectionImpl(std::shared_ptr<ClientCore> core) requires(!kTls)
        : core_(std::move(core)), stream_(net::make_strand(core_->executor())) {}
    explicit ConnectionImpl(std::shared_ptr<ClientCore> core) requires(kTls)
        : core_(std::move(core)),
          stream_(net::make_strand(core_->executor()), *core_->ssl_context()) {}

    void run(std::unique_ptr<Exchange> ex) override {
        auto self = std::static_pointer_cast<ConnectionImpl>(shared_from_this());
        net::dispatch(stream_.get_executor(),
                      [self, ex = std::move(ex)]() mutable { self->begin(std::move(ex)); });
    }

    bool idle_alive() override {
        auto& sock = lowest().socket();
        if (!connected_ || !sock.is_open())
            return false;
        char c = 0;
        error_code ec;
        sock.receive(net::buffer(&c, 1), tcp::socket::message_peek, ec);
        // Nothing to read is the only healthy state of an idle connection:
        // EOF means the server closed it, data means garbage or TLS close_notify.
        return ec == net::error::would_block || ec == net::error::try_again;
    }

  private:
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    std::shared_ptr<ConnectionImpl> self() {
        return std::static_pointer_cast<ConnectionImpl>(shared_from_this());
    }

    void begin(std::unique_ptr<Exchange> ex) {
        ex_ = std::move(ex);
        bytes_written_ = 0;
        if (connected_) {
            do_write();
        } else {
            do_resolve();
        }
    }

    void do_resolve() {
        const HttpTarget& t = core_->target();
        error_code ec;
        auto address = net::ip::make_address(t.host, ec);
        if (!ec) {
            endpoints_.assign(1, tcp::endpoint(address, t.port));
            do_connect();
            return;
        }
        // DNS: the resolver has no deadline of its own; a timer cancels it.
        resolver_.emplace(stream_.get_executor());
        resolve_timer_.emplace(stream_.get_executor());
        resolve_timer_->expires_at(ex_->deadline);
        resolve_timer_->async_wait([s = self()](const error_code& e) {
            if (!e && s->resolver_)
                s->resolver_->cancel();
        });
        resolver_->async_resolve(
            t.host, std::to_string(t.port),
            [s = self()](const error_code& e, const tcp::resolver::results_type& results) {
                s->resolve_timer_->cancel();
                if (e) {
                    bool late = Clock::now() >= s->ex_->deadline;
                    s->fail(late ? beast::error::timeout : e, Phase::resolve);
                    return;
                }
                s->endpoints_.assign(results.begin(), results.end());
                s->do_connect();
            });
    }

    void do_connect() {
        lowest().expires_at(ex_->deadline);
        lowest().async_connect(endpoints_, [s = self()](const error_code& e, const tcp::endpoint&) {
            s->on_connect(e);
        });
    }

    void on_connect(const error_code& ec) {
        if (ec)
            return fail(ec, Phase::connect);
        error_code ignored;
        lowest().socket().set_option(tcp::no_delay(true), ignored);
        lowest().socket().non_blocking(true, ignored);  // for the idle peek
        if constexpr (kTls) {
            const HttpTarget& t = core_->target();
            // SNI for names only (RFC 6066 3: literal IP addresses are not permitted).
            if (!t.host_is_ip_literal() &&
                SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                         TLSEXT_NAMETYPE_host_name, const_cast<char*>(t.host.c_str())) != 1) {
                return fail(net::error::invalid_argument, Phase::handshake);
            }
            if (!core_->options().insecure_skip_verify) {
                stream_.set_verify_callback(ssl::host_name_verification(t.host));
            }
            lowest().expires_at(ex_->deadline);
            stream_.async_handshake(ssl::stream_base::client, [s = self()](const error_code& e) {
                if (e)
                    return s->fail(e, Phase::handshake);
                s->connected_ = true;
                s->do_write();
            });
        } else {
            connected_ = true;
            do_write();
        }
    }

    void do_write() {
        lowest().expires_at(ex_->deadline);
        net::async_write(stream_, net::buffer(ex_->wire),
                         [s = self()](const error_code& e, std::size_t n) {
                             s->bytes_written_ += n;
                             if (e)
                                 return s->fail(e, Phase::write);
                             s->do_read();
                         });
    }

    void do_read() {
        parser_.emplace();
        parser_->body_limit(core_->options().response_body_bytes_limit);
        parser_->header_limit(static_cast<std::uint32_t>(
            std::min<std::size_t>(core_->options().response_header_bytes_limit, UINT32_MAX)));
        if (ex_->head)
            parser_->skip(true);
        lowest().expires_at(ex_->deadline);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [s = self()](const error_code& e, std::size_t) {
                              if (e)
                                  return s->fail(e, Phase::read);
                              s->on_response();
                          });
    }

    void on_response() {
        lowest().expires_never();
        auto msg = parser_->release();
        parser_.reset();
        Response r;
        r.status = static_cast<int>(msg.result_int());
        for (const auto& f : msg) {
            r.headers.add(std::string(f.name_string()), std::string(f.value()));
        }
        r.body = std::move(msg.body());
        r.received_wall = std::chrono::system_clock::now();
        // Reuse only a clean keep-alive connection: leftover bytes would be
        // read as the start of the next response.
        bool reusable = msg.keep_alive() && !msg.need_eof() && buffer_.size() == 0;
        finish(HttpResult(std::move(r)), reusable);
    }

    void fail(const error_code& ec, Phase phase) {
        TransportError e;
        e.kind = classify(ec, phase);
        // Only the write phase can have put bytes on the wire; before it
        // nothing of the request was sent, after it all of it was.
        e.may_have_reached_server =
            phase == Phase::read || (phase == Phase::write && bytes_written_ > 0);
        e.detail =
            std::string(phase_name(phase)) + " " + core_->target().origin() + ": " + ec.message();
        if constexpr (kTls) {
            if (phase == Phase::handshake) {
                long v = SSL_get_verify_result(stream_.native_handle());
                if (v != X509_V_OK)
                    e.detail += std::string(" (") + X509_verify_cert_error_string(v) + ")";
            }
        }
        parser_.reset();
        buffer_.clear();
        error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().close();
        connected_ = false;
        finish(HttpResult(std::move(e)), false);
    }

    void finish(HttpResult result, bool reusable) {
        std::unique_ptr<Exchange> ex = std::move(ex_);
        ++exchanges;
        core_->completed(*ex, result);
        // Hand the connection back before the callback runs, so a follow-up
        // request from the callback can take it.
        if (auto next = core_->release(shared_from_this(), reusable))
            begin(std::move(next));
        ex->on_done(std::move(result));
    }

    std::shared_ptr<ClientCore> core_;
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
    std::unique_ptr<Exchange> ex_;
    std::vector<tcp::endpoint> endpoints_;
    std::optional<tcp::resolver> resolver_;
    std::optional<net::steady_timer> resolve_timer_;
    std::size_t bytes_written_ = 0;
    bool connected_ = false;
};

}  // namespace

ClientCore::ClientCore(net::any_io_executor executor, HttpClientOptions options)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      target_(parse_http_target(options_.base_url)),
      sweep_timer_(executor_) {
    if (options_.max_connections == 0)
        throw TargetError("max_connections: must be >= 1");
    if (options_.default_request_timeout.count() <= 0) {
        throw TargetError("default_request_timeout: must be > 0");
    }
    identity_.user_agent = options_.user_agent;
    if (!options_.bearer_token_secret.empty()) {
        secret_ = load_secret(options_.bearer_token_secret);
        identity_.authorization = bearer_authorization(secret_, "bearer_token_secret");
    }
    if (target_.tls) {
        ssl_.emplace(ssl::context::tls_client);
        SSL_CTX_set_min_proto_version(ssl_->native_handle(), TLS1_2_VERSION);
        if (options_.insecure_skip_verify) {
            ssl_->set_verify_mode(ssl::verify_none);
        } else {
            ssl_->set_verify_mode(ssl::verify_peer);
            error_code ec;
            ssl_->set_default_verify_paths(
                ec);  // a system without a store still works with ca_file
            if (!options_.ca_file.empty()) {
                ssl_->load_verify_file(options_.ca_file, ec);
                if (ec) {
                    throw std::runtime_error("ca_file: cannot load " + options_.ca_file + ": " +
                                             ec.message());
                }
            }
        }
    }
}

ClientCore::~ClientCore() = default;

std::shared_ptr<Connection> ClientCore::make_connection() {
    counters_.connections_opened.fetch_add(1, std::memory_order_relaxed);
    if (target_.tls)
        return std::make_shared<ConnectionImpl<TlsStream>>(shared_from_this());
    return std::make_shared<ConnectionImpl<PlainStream>>(shared_from_this());
}

void ClientCore::fail_later(HttpCallback cb, TransportError error) {
    counters_.transport_errors.fetch_add(1, std::memory_order_relaxed);
    counters_.errors_by_kind[static_cast<int>(error.kind)].fetch_add(1, std::memory_order_relaxed);
    net::post(executor_,
              [cb = std::move(cb), e = std::move(error)]() mutable { cb(std::move(e)); });
}

void ClientCore::send(SendRequest request, HttpCallback on_done) {
    counters_.requests.fetch_add(1, std::memory_order_relaxed);
    auto ex = std::make_unique<Exchange>();
    HeaderFields headers = wire_headers(request, target_, identity_);
    for (const auto& [name, value] : headers.fields()) {
        if (!header_value_is_safe(name) || !header_value_is_safe(value)) {
            fail_later(std::move(on_done), TransportError{TransportErrorKind::protocol, false,
                                                          "request header " + name +
                                                              " contains CR, LF or NUL; not sent"});
            return;
        }
    }
    ex->target = target_.request_target(request.path);
    ex->wire = render_request(request.method, ex->target, headers, request.body);
    ex->head = request.method == "HEAD";
    ex->method = std::move(request.method);
    ex->headers = std::move(headers);
    ex->on_done = std::move(on_done);
    ex->purpose = request.purpose;
    ex->started = Clock::now();
    ex->deadline = ex->started + (request.timeout.count() > 0 ? request.timeout
                                                              : options_.default_request_timeout);

    std::shared_ptr<Connection> conn;
    std::vector<std::shared_ptr<Connection>> stale;
    {
        std::unique_lock lock(mutex_);
        if (shut_down_) {
            lock.unlock();
            fail_later(std::move(ex->on_done), TransportError{TransportErrorKind::connect, false,
                                                              "HTTP client is shut down"});
            return;
        }
        while (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            if (ex->started - c->idle_since < options_.idle_connection_timeout && c->idle_alive()) {
                conn = std::move(c);
                break;
            }
            --open_;
            stale.push_back(std::move(c));
        }
        if (!conn) {
            if (open_ < options_.max_connections) {
                ++open_;
            } else if (waiting_.size() < options_.max_queued_requests) {
                waiting_.push_back(std::move(ex));
                counters_.queued.fetch_add(1, std::memory_order_relaxed);
                arm_sweep_locked();
                ex = nullptr;
            } else {
                lock.unlock();
                counters_.queue_rejected.fetch_add(1, std::memory_order_relaxed);
                fail_later(std::move(ex->on_done),
                           TransportError{TransportErrorKind::connect, false,
                                          "request queue full (" +
                                              std::to_string(options_.max_queued_requests) +
                                              " waiting for a connection)"});
                return;
            }
        }
    }
    counters_.connections_discarded.fetch_add(stale.size(), std::memory_order_relaxed);
    stale.clear();  // closes them, outside the lock
    if (!ex)
        return;
    if (conn) {
        counters_.connections_reused.fetch_add(1, std::memory_order_relaxed);
    } else {
        conn = make_connection();
    }
    conn->run(std::move(ex));
}

std::unique_ptr<Exchange> ClientCore::pop_waiter_locked(
    std::vector<std::unique_ptr<Exchange>>& expired) {
    auto now = Clock::now();
    while (!waiting_.empty()) {
        auto ex = std::move(waiting_.front());
        waiting_.pop_front();
        if (ex->deadline > now)
            return ex;
        expired.push_back(std::move(ex));  // starting it would only time out at once
    }
    return nullptr;
}

void ClientCore::fail_expired(std::vector<std::unique_ptr<Exchange>>& expired) {
    for (auto& ex : expired) {
        counters_.queue_timeouts.fetch_add(1, std::memory_order_relaxed);
        fail_later(std::move(ex->on_done),
                   TransportError{TransportErrorKind::timeout, false,
                                  "no free connection before the request timeout (max " +
                                      std::to_string(options_.max_connections) + " connections)"});
    }
    expired.clear();
}

std::unique_ptr<Exchange> ClientCore::release(const std::shared_ptr<Connection>& connection,
                                              bool reusable) {
    std::unique_ptr<Exchange> next;
    std::vector<std::unique_ptr<Exchange>> expired;
    bool open_new = false;
    {
        std::lock_guard lock(mutex_);
        if (reusable && !shut_down_) {
            next = pop_waiter_locked(expired);
            if (next) {
                counters_.connections_reused.fetch_add(1, std::memory_order_relaxed);
            } else {
                connection->idle_since = Clock::now();
                idle_.push_back(connection);
            }
        } else {
            --open_;
            counters_.connections_discarded.fetch_add(1, std::memory_order_relaxed);
            if (!shut_down_ && open_ < options_.max_connections) {
                if (auto waiter = pop_waiter_locked(expired)) {
                    ++open_;
                    open_new = true;
                    next = std::move(waiter);
                }
            }
        }
    }
    fail_expired(expired);
    if (open_new) {
        make_connection()->run(std::move(next));
        return nullptr;
    }
    return next;
}

void ClientCore::arm_sweep_locked() {
    if (sweep_armed_)
        return;
    sweep_armed_ = true;
    sweep_timer_.expires_after(kSweepInterval);
    sweep_timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
        if (ec)
            return;
        if (auto self = weak.lock())
            self->sweep();
    });
}

void ClientCore::sweep() {
    std::vector<std::unique_ptr<Exchange>> expired;
    {
        std::lock_guard lock(mutex_);
        sweep_armed_ = false;
        auto now = Clock::now();
        for (auto it = waiting_.begin(); it != waiting_.end();) {
            if ((*it)->deadline <= now) {
                expired.push_back(std::move(*it));
                it = waiting_.erase(it);
            } else {
                ++it;
            }
        }
        if (!waiting_.empty() && !shut_down_)
            arm_sweep_locked();
    }
    fail_expired(expired);
}

void ClientCore::shutdown() {
    std::vector<std::shared_ptr<Connection>> idle;
    std::deque<std::unique_ptr<Exchange>> waiting;
    {
        std::lock_guard lock(mutex_);
        if (shut_down_)
            return;
        shut_down_ = true;
        idle.swap(idle_);
        open_ -= idle.size();
        waiting.swap(waiting_);
        sweep_timer_.cancel();
    }
    idle.clear();
    for (auto& ex : waiting) {
        fail_later(std::move(ex->on_done),
                   TransportError{TransportErrorKind::connect, false, "HTTP client is shut down"});
    }
}

void ClientCore::completed(const Exchange& ex, const HttpResult& result) {
    if (const auto* err = std::get_if<TransportError>(&result)) {
        counters_.transport_errors.fetch_add(1, std::memory_order_relaxed);
        counters_.errors_by_kind[static_cast<int>(err->kind)].fetch_add(1,
                                                                        std::memory_order_relaxed);
    } else {
        counters_.responses.fetch_add(1, std::memory_order_relaxed);
    }
    if (!options_.request_log)
        return;
    nlohmann::json headers = nlohmann::json::object();
    HeaderFields shown = redacted_headers(ex.headers);
    for (const auto& [name, value] : shown.fields())
        headers[name] = value;
    auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - ex.started).count();
    nlohmann::json line = {
        {"event", "http"},
        {"method", ex.method},
        {"url", target_.origin() + ex.target},
        {"purpose", request_purpose_name(ex.purpose)},
        {"status", nullptr},
        {"error", nullptr},
        {"duration_ms", elapsed},
        {"request_headers", std::move(headers)},
    };
    if (const auto* r = std::get_if<Response>(&result)) {
        line["status"] = r->status;
    } else {
        const auto& e = std::get<TransportError>(result);
        line["error"] = {{"kind", transport_error_kind_name(e.kind)},
                         {"may_have_reached_server", e.may_have_reached_server},
                         {"detail", scrub_secret(e.detail, secret_)}};
    }
    options_.request_log(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

HttpClientStats ClientCore::stats() const {
    HttpClientStats s;
    auto ld = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    s.requests = ld(counters_.requests);
    s.responses = ld(counters_.responses);
    s.transport_errors = ld(counters_.transport_errors);
    s.errors_connect = ld(counters_.errors_by_kind[static_cast<int>(TransportErrorKind::connect)]);
    s.errors_reset = ld(counters_.errors_by_kind[static_cast<int>(TransportErrorKind::reset)]);
    s.errors_timeout = ld(counters_.errors_by_kind[static_cast<int>(TransportErrorKind::timeout)]);
    s.errors_tls = ld(counters_.errors_by_kind[static_cast<int>(TransportErrorKind::tls)]);
    s.errors_protocol =
        ld(counters_.errors_by_kind[static_cast<int>(TransportErrorKind::protocol)]);
    s.connections_opened = ld(counters_.connections_opened);
    s.connections_reused = ld(counters_.connections_reused);
    s.connections_discarded = ld(counters_.connections_discarded);
    s.queued = ld(counters_.queued);
    s.queue_rejected = ld(counters_.queue_rejected);
    s.queue_timeouts = ld(counters_.queue_timeouts);
    std::lock_guard lock(mutex_);
    s.connections_open_now = open_;
    s.queue_length_now = waiting_.size();
    return s;
}

}  // namespace conflictlab::engine::detail
