#pragma once
// detail: one connection, plain (beast::tcp_stream) or TLS
// (beast::ssl_stream<beast::tcp_stream>); the two share this code.
//
// Theory of operation. A session lives on one single-threaded io_context (the
// server runs one per I/O thread), which serialises its handlers exactly like
// a strand would, without the strand's queue lock: no mutex here. It loops:
//
//   read    a fresh request_parser per message; bytes come from our own
//           async_read_some calls and are fed to parser.put(), so the
//           deadlines are ours: idle_timeout while waiting for a request's
//           first byte, then read_timeout for the whole request (headers and
//           body: a slow-loris trickle is cut off). Pipelined requests are
//           parsed from the buffer without another read, one at a time.
//           `Expect: 100-continue` is answered before the body is read.
//   handle  convert to the core's Request, call the handler (in place, no
//           thread hop), convert its Response.
//   delay   a steady_timer when the answer carries a delay (never a sleep).
//   fate    respond: write, report latency, then read the next request
//           (keep-alive) or close; reset: SO_LINGER 0 + close (RST);
//           close_silently: FIN without a response; hang: read and discard
//           until the client closes or hang_limit passes.
//
// Malformed input is answered by the front end itself: 413 (body over the
// limit), 431 (header block over the limit), 400 (anything else), always with
// `Connection: close`, followed by a lingering close (stop sending, discard
// what the client still sends for a bounded time) so the client gets to read
// the answer instead of a reset.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "message_conversion.hpp"
#include "shared_state.hpp"

namespace conflictlab::mock::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
class Session final : public SessionControl, public std::enable_shared_from_this<Session<Stream>> {
  public:
    static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

    // Plain: Session(shared, socket). TLS: Session(shared, socket, context).
    template <class... StreamArgs>
    Session(SharedState& shared, tcp::socket&& socket, StreamArgs&... stream_args);
    ~Session() override;

    // Registers with the server and starts serving on the socket's executor.
    // REQUIRES: called once, right after construction.
    void start();

    void begin_shutdown() override;
    void force_close() override;

  private:
    enum class Phase { handshake, idle, reading, handling, delaying, writing, hanging, closing };
    using Clock = std::chrono::steady_clock;

    tcp::socket& socket() { return beast::get_lowest_layer(stream_).socket(); }
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    void begin();
    void on_handshake(beast::error_code ec);
    void next_request();
    void parse_buffered();
    void read_more();
    void on_read(beast::error_code ec, std::size_t bytes);
    void on_continue_written(beast::error_code ec, std::size_t bytes);
    void reject_malformed(beast::error_code parse_error);
    void handle_request();
    void on_delay(beast::error_code ec);
    void carry_out_fate();
    void write_response();
    void on_write(beast::error_code ec, std::size_t bytes);
    void hang();
    void discard_until_closed(Clock::time_point deadline, std::size_t bytes_left);
    void on_discard(Clock::time_point deadline, std::size_t bytes_left, beast::error_code ec,
                    std::size_t bytes);
    void graceful_close();
    void reset_connection();
    void close_silently();
    void close_now();
    bool expects_continue() const;
    void log_exchange(int status, std::string_view fate);

    SharedState& shared_;
    std::string peer_;  // before stream_: computed from the socket before it moves
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    BeastResponse response_;
    net::steady_timer delay_timer_;
    Phase phase_ = Phase::handshake;

    // Per request.
    bool request_started_ = false;  // a byte of the current request has arrived
    bool continue_sent_ = false;
    bool keep_alive_ = false;
    bool linger_after_write_ = false;  // malformed input: lingering close after the answer
    Clock::time_point deadline_{};     // end of read_timeout for the current request
    Clock::time_point handled_at_{};   // request complete: latency starts here
    ConnectionFate fate_ = ConnectionFate::respond;
    std::string method_;  // kept for observe_latency and the access log
    std::string target_;  // kept only when there is an access log
    std::size_t body_bytes_ = 0;
    std::string fired_rules_;
};

// Creates and starts a session; the socket is already accepted.
void start_plain_session(SharedState& shared, tcp::socket&& socket);
void start_tls_session(SharedState& shared, tcp::socket&& socket, net::ssl::context& tls);

}  // namespace conflictlab::mock::http::detail

#include "impl/session.ipp"
