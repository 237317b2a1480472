#pragma once
// Template bodies of Session<Stream> (see ../session.hpp for the theory of
// operation).

#include <algorithm>
#include <exception>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>

#include "../front_end_problem.hpp"

namespace conflictlab::mock::http::detail {

namespace session_limits {
// Read size while waiting for a header block: small, so an idle connection
// costs little memory.
inline constexpr std::size_t kHeaderReadBytes = 4 * 1024;
// Read size for bodies.
inline constexpr std::size_t kBodyReadBytes = 64 * 1024;
// Lingering close after a 4xx for malformed input: how long and how much the
// client may still send (and we discard) before we close.
inline constexpr std::chrono::milliseconds kLingerTime{2000};
inline constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;
// A hanging connection discards at most this much of what the client sends.
inline constexpr std::size_t kHangBytes = 64 * 1024 * 1024;
// A buffer grown by a large request is shrunk back above this capacity.
inline constexpr std::size_t kKeepBufferBytes = 16 * 1024;
// TLS close_notify exchange at most this long.
inline constexpr std::chrono::milliseconds kTlsShutdownTime{1000};
inline constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
}  // namespace session_limits

inline std::string format_peer(const tcp::socket& socket) {
    boost::system::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (ec)
        return "unknown";
    auto address = endpoint.address();
    std::string text = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return text + ":" + std::to_string(endpoint.port());
}

template <class Stream>
template <class... StreamArgs>
Session<Stream>::Session(SharedState& shared, tcp::socket&& socket, StreamArgs&... stream_args)
    : shared_(shared),
      peer_(format_peer(socket)),
      stream_(std::move(socket), stream_args...),
      buffer_(shared.options.header_limit_bytes + session_limits::kBodyReadBytes),
      delay_timer_(stream_.get_executor()) {}

template <class Stream>
Session<Stream>::~Session() {
    shared_.counters.connections_active.fetch_sub(1);
    shared_.registry.remove(this);
}

template <class Stream>
void Session<Stream>::start() {
    shared_.registry.add(this, this->weak_from_this());
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::begin, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::begin() {
    if constexpr (kTls) {
        phase_ = Phase::handshake;
        lowest().expires_after(shared_.options.read_timeout);
        stream_.async_handshake(
            net::ssl::stream_base::server,
            beast::bind_front_handler(&Session::on_handshake, this->shared_from_this()));
    } else {
        next_request();
    }
}

template <class Stream>
void Session<Stream>::begin_shutdown() {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
        switch (self->phase_) {
            case Phase::handshake:
            case Phase::idle:
            case Phase::hanging:
                self->close_now();
                break;
            default:
                // A request is being read or answered: its response goes out
                // with `Connection: close` (write_response checks stopping).
                break;
        }
    });
}

template <class Stream>
void Session<Stream>::force_close() {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close_now(); });
}

template <class Stream>
void Session<Stream>::on_handshake(beast::error_code ec) {
    if (ec) {
        shared_.counters.tls_handshake_failures.fetch_add(1);
        return close_now();
    }
    next_request();
}

template <class Stream>
void Session<Stream>::next_request() {
    if (phase_ == Phase::closing)
        return;
    if (shared_.stopping.load())
        return graceful_close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.header_limit_bytes));
    parser_->body_limit(shared_.options.body_limit_bytes);
    parser_->eager(true);
    continue_sent_ = false;
    linger_after_write_ = false;
    fired_rules_.clear();
    request_started_ = buffer_.size() > 0;  // a pipelined request is already here
    if (request_started_)
        deadline_ = Clock::now() + shared_.options.read_timeout;
    phase_ = request_started_ ? Phase::reading : Phase::idle;
    parse_buffered();
}

template <class Stream>
void Session<Stream>::parse_buffered() {
    while (!parser_->is_done()) {
        if (buffer_.size() == 0)
            return read_more();
        beast::error_code ec;
        const std::size_t used = parser_->put(buffer_.data(), ec);
        buffer_.consume(used);
        if (ec == bhttp::error::need_more)
            return read_more();
        if (ec)
            return reject_malformed(ec);
        if (used == 0)
            return read_more();  // no progress without more bytes
    }
    handle_request();
}

template <class Stream>
bool Session<Stream>::expects_continue() const {
    const auto& header = parser_->get();
    if (header.version() < 11)
        return false;
    auto it = header.find(bhttp::field::expect);
    return it != header.end() && iequals(it->value(), "100-continue");
}

template <class Stream>
void Session<Stream>::read_more() {
    if (parser_->is_header_done() && !continue_sent_ && expects_continue()) {
        // RFC 9110 10.1.1: the client waits for this before sending the body.
        continue_sent_ = true;
        lowest().expires_at(deadline_);
        net::async_write(
            stream_, net::buffer(session_limits::kContinue, sizeof session_limits::kContinue - 1),
            beast::bind_front_handler(&Session::on_continue_written, this->shared_from_this()));
        return;
    }
    const std::size_t space = buffer_.max_size() - buffer_.size();
    if (space == 0)
        return reject_malformed(bhttp::error::header_limit);
    const std::size_t want = parser_->is_header_done() ? session_limits::kBodyReadBytes
                                                       : session_limits::kHeaderReadBytes;
    auto into = buffer_.prepare(std::min(space, want));
    if (request_started_) {
        phase_ = Phase::reading;
        lowest().expires_at(deadline_);
    } else {
        if (shared_.stopping.load())
            return graceful_close();
        phase_ = Phase::idle;
        lowest().expires_after(shared_.options.idle_timeout);
    }
    stream_.async_read_some(into,
                            beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::on_read(beast::error_code ec, std::size_t bytes) {
    buffer_.commit(bytes);
    if (ec) {
        if (ec == beast::error::timeout)
            shared_.counters.timeouts.fetch_add(1);
        return close_now();
    }
    if (phase_ == Phase::closing)
        return;
    if (!request_started_) {
        // The request's clock starts with its first byte (slow-loris bound).
        request_started_ = true;
        deadline_ = Clock::now() + shared_.options.read_timeout;
        phase_ = Phase::reading;
    }
    parse_buffered();
}

template <class Stream>
void Session<Stream>::on_continue_written(beast::error_code ec, std::size_t) {
    if (ec)
        return close_now();
    read_more();
}

template <class Stream>
void Session<Stream>::reject_malformed(beast::error_code parse_error) {
    int status = 400;
    std::string detail;
    if (parse_error == bhttp::error::body_limit) {
        status = 413;
        detail = "the request body is larger than the limit of " +
                 std::to_string(shared_.options.body_limit_bytes) + " bytes";
    } else if (parse_error == bhttp::error::header_limit) {
        status = 431;
        detail = "the request header block is larger than the limit of " +
                 std::to_string(shared_.options.header_limit_bytes) + " bytes";
    } else {
        detail = "malformed HTTP request: " + parse_error.message();
    }
    shared_.counters.bad_requests.fetch_add(1);
    phase_ = Phase::handling;
    if (parser_->is_header_done()) {
        method_ = std::string(parser_->get().method_string());
        if (shared_.access_log != nullptr)
            target_ = std::string(parser_->get().target());
    } else {
        method_.clear();
        target_.clear();
    }
    handled_at_ = Clock::now();
    keep_alive_ = false;
    linger_after_write_ = true;
    fate_ = ConnectionFate::respond;
    body_bytes_ = to_beast_response(front_end_problem(status, detail), 11, false, response_);
    write_response();
}

template <class Stream>
void Session<Stream>::handle_request() {
    phase_ = Phase::handling;
    shared_.counters.requests.fetch_add(1);
    BeastRequest request = parser_->release();
    keep_alive_ = request.keep_alive();
    const unsigned version = request.version();
    handled_at_ = Clock::now();
    Request exchange = to_core_request(std::move(request), peer_);
    method_ = exchange.method;
    if (shared_.access_log != nullptr)
        target_ = exchange.target;

    Response answer;
    try {
        answer = shared_.handler.handle(exchange);
    } catch (const std::exception&) {
        // Never crash on a handler bug; never echo its message to the peer.
        answer = front_end_problem(500, "the mock server failed to handle this request");
    }
    // Whatever the handler says, a HEAD answer never carries a body.
    if (method_ == "HEAD")
        answer.head = true;
    fate_ = answer.fate;
    const auto delay = std::min(answer.delay, shared_.options.hang_limit);
    if (shared_.access_log != nullptr)
        fired_rules_ = fired_rules_of(answer);
    if (fate_ == ConnectionFate::respond) {
        body_bytes_ = to_beast_response(std::move(answer), version, keep_alive_, response_);
    }
    if (buffer_.capacity() > session_limits::kKeepBufferBytes &&
        buffer_.size() < session_limits::kKeepBufferBytes) {
        buffer_.shrink_to_fit();
    }
    if (delay.count() > 0) {
        phase_ = Phase::delaying;
        delay_timer_.expires_after(delay);
        delay_timer_.async_wait(
            beast::bind_front_handler(&Session::on_delay, this->shared_from_this()));
        return;
    }
    carry_out_fate();
}

template <class Stream>
void Session<Stream>::on_delay(beast::error_code ec) {
    if (ec || phase_ == Phase::closing)
        return;
    carry_out_fate();
}

template <class Stream>
void Session<Stream>::carry_out_fate() {
    switch (fate_) {
        case ConnectionFate::respond:
            return write_response();
        case ConnectionFate::reset:
            log_exchange(0, "reset");
            return reset_connection();
        case ConnectionFate::close_silently:
            log_exchange(0, "close");
            return close_silently();
        case ConnectionFate::hang:
            log_exchange(0, "hang");
            return hang();
    }
}

template <class Stream>
void Session<Stream>::write_response() {
    phase_ = Phase::writing;
    if (shared_.stopping.load() && response_.keep_alive())
        response_.keep_alive(false);
    lowest().expires_after(shared_.options.write_timeout);
    bhttp::async_write(stream_, response_,
                       beast::bind_front_handler(&Session::on_write, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::on_write(beast::error_code ec, std::size_t) {
    if (ec) {
        if (ec == beast::error::timeout)
            shared_.counters.timeouts.fetch_add(1);
        return close_now();
    }
    const int status = static_cast<int>(response_.result_int());
    if (!linger_after_write_) {
        shared_.handler.observe_latency(method_, status, Clock::now() - handled_at_);
    }
    log_exchange(status, linger_after_write_ ? "bad-request" : "respond");
    if (linger_after_write_) {
        // Stop sending, then discard what the client still sends (the rest of
        // an oversized body) so it reads our answer instead of a reset.
        phase_ = Phase::closing;
        beast::error_code ignored;
        socket().shutdown(tcp::socket::shutdown_send, ignored);
        return discard_until_closed(Clock::now() + session_limits::kLingerTime,
                                    session_limits::kLingerBytes);
    }
    if (!response_.keep_alive())
        return graceful_close();
    next_request();
}

template <class Stream>
void Session<Stream>::hang() {
    phase_ = Phase::hanging;
    discard_until_closed(Clock::now() + shared_.options.hang_limit, session_limits::kHangBytes);
}

template <class Stream>
void Session<Stream>::discard_until_closed(Clock::time_point deadline, std::size_t bytes_left) {
    if (bytes_left == 0)
        return close_now();
    buffer_.clear();
    lowest().expires_at(deadline);
    auto into = buffer_.prepare(std::min(buffer_.max_size(), session_limits::kHeaderReadBytes));
    stream_.async_read_some(into, [self = this->shared_from_this(), deadline, bytes_left](
                                      beast::error_code ec, std::size_t bytes) {
        self->on_discard(deadline, bytes_left, ec, bytes);
    });
}

template <class Stream>
void Session<Stream>::on_discard(Clock::time_point deadline, std::size_t bytes_left,
                                 beast::error_code ec, std::size_t bytes) {
    if (ec)
        return close_now();  // the client closed, the deadline passed, or we were stopped
    if (phase_ != Phase::hanging && phase_ != Phase::closing)
        return;
    discard_until_closed(deadline, bytes_left - std::min(bytes, bytes_left));
}

template <class Stream>
void Session<Stream>::graceful_close() {
    phase_ = Phase::closing;
    if constexpr (kTls) {
        lowest().expires_after(std::min<std::chrono::milliseconds>(session_limits::kTlsShutdownTime,
                                                                   shared_.options.read_timeout));
        stream_.async_shutdown(
            [self = this->shared_from_this()](beast::error_code) { self->close_now(); });
    } else {
        // FIN now; the socket itself closes when the last handler lets go.
        beast::error_code ignored;
        socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
}

template <class Stream>
void Session<Stream>::reset_connection() {
    phase_ = Phase::closing;
    beast::error_code ignored;
    socket().set_option(tcp::socket::linger(true, 0), ignored);
    lowest().close();
}

template <class Stream>
void Session<Stream>::close_silently() {
    phase_ = Phase::closing;
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
}

template <class Stream>
void Session<Stream>::close_now() {
    phase_ = Phase::closing;
    delay_timer_.cancel();
    lowest().close();
}

template <class Stream>
void Session<Stream>::log_exchange(int status, std::string_view fate) {
    if (shared_.access_log == nullptr)
        return;
    const auto latency = std::chrono::duration<double, std::milli>(Clock::now() - handled_at_);
    shared_.access_log->record(AccessLogRecord{
        .time = std::chrono::system_clock::now(),
        .peer = peer_,
        .method = method_,
        .target = target_,
        .status = status,
        .latency_ms = latency.count(),
        .bytes = status == 0 ? 0 : body_bytes_,
        .fate = std::string(fate),
        .fired_rules = fired_rules_,
    });
}

}  // namespace conflictlab::mock::http::detail
