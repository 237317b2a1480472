#pragma once
// HttpClient: an asynchronous HTTP/1.1 client for one target (scheme, host,
// port), built on Boost.Beast, used by the engine's drivers and by the alert
// sender. It owns a keep-alive connection pool for the host with a bound on
// open connections; a request that finds no free connection waits in a
// bounded FIFO queue (its timeout keeps running while it waits).
//
//   HttpClient client(options);                // 1 I/O thread of its own
//   client.send(SendRequest{...}, [](HttpResult r) { ... });
//   client.schedule(250ms, [] { ... });        // a timer, no thread blocked
//
// Results: every send() completes exactly once with either a Response (any
// status) or a TransportError whose kind and may_have_reached_server follow
// messages.hpp: connect/TLS failures and requests that timed out while queued
// report false (nothing was written); a failure once any byte of the request
// was written reports true. A connection that failed is closed, never pooled.
//
// HTTPS: certificates are verified by default (system trust store, plus
// `ca_file`), with SNI and host name verification; insecure_skip_verify turns
// verification off for self-signed test servers.
//
// Thread-safety: send(), schedule() and stats() may be called from any thread,
// including from inside callbacks. Callbacks run on the client's I/O threads
// (on the strand of the connection that carried the request) and must not
// block. Ownership: the client copies its options; the destructor closes idle
// connections, fails queued requests and, when it owns its threads, stops and
// joins them (callbacks of requests still in flight are then dropped unrun).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "conflictlab/engine/http_target.hpp"
#include "conflictlab/engine/messages.hpp"

namespace boost::asio {
class io_context;
}

namespace conflictlab::engine {

struct HttpClientOptions {
    // Target base URL: http:// or https://host[:port][/prefix]. Required.
    std::string base_url;
    // Bearer token source for load_secret(): "env:NAME" or "file:PATH".
    // Empty: no Authorization header. Read once, at construction.
    std::string bearer_token_secret;
    // HTTPS: extra PEM file of trusted CA certificates (in addition to the
    // system trust store). Empty: system store only.
    std::string ca_file;
    // HTTPS: do not verify the server certificate or host name. Only for
    // self-signed test servers; never in production.
    bool insecure_skip_verify = false;
    // Open connections to the host at most (busy + idle + connecting). >= 1.
    std::size_t max_connections = 64;
    // Requests waiting for a free connection at most; a request beyond it
    // fails at once with TransportError{connect, false, "request queue full"}.
    std::size_t max_queued_requests = 65'536;
    // Largest response body accepted; a larger one is a protocol error.
    std::size_t response_body_bytes_limit = 8 * 1024 * 1024;
    // Largest response header block accepted; larger is a protocol error.
    std::size_t response_header_bytes_limit = 64 * 1024;
    // A pooled connection idle longer than this is closed instead of reused
    // (stay below the server's keep-alive timeout; the mock's is 30 s).
    std::chrono::milliseconds idle_connection_timeout{15'000};
    // Timeout for a SendRequest whose timeout is zero (the engine always
    // sets one; the alert sender may not). > 0.
    std::chrono::milliseconds default_request_timeout{30'000};
    // User-Agent header (kept when the request sets its own).
    std::string user_agent = "conflictlab/0.1";
    // Optional trace: one JSON line per exchange {"event":"http", method,
    // url, purpose, status, error, duration_ms, request_headers}, with
    // credentials redacted. Called on I/O threads; must be thread-safe and fast.
    std::function<void(std::string_view line)> request_log;
};

using HttpResult = std::variant<Response, TransportError>;
using HttpCallback = std::function<void(HttpResult)>;

// Counters since construction (monotonic, except the *_now gauges).
struct HttpClientStats {
    std::uint64_t requests = 0;          // send() calls
    std::uint64_t responses = 0;         // completed with a Response
    std::uint64_t transport_errors = 0;  // completed with a TransportError
    std::uint64_t errors_connect = 0;    // ... by kind
    std::uint64_t errors_reset = 0;
    std::uint64_t errors_timeout = 0;
    std::uint64_t errors_tls = 0;
    std::uint64_t errors_protocol = 0;
    std::uint64_t connections_opened = 0;     // TCP connections started
    std::uint64_t connections_reused = 0;     // requests sent on a pooled connection
    std::uint64_t connections_discarded = 0;  // closed after an error, close or staleness
    std::uint64_t queued = 0;                 // requests that had to wait for a connection
    std::uint64_t queue_rejected = 0;         // refused: queue full
    std::uint64_t queue_timeouts = 0;         // timed out while waiting
    std::uint64_t connections_open_now = 0;   // gauge
    std::uint64_t queue_length_now = 0;       // gauge
};

namespace detail {
class ClientCore;
class IoRunner;
}  // namespace detail

class HttpClient {
  public:
    // Runs its own io_context on `threads` threads (>= 1). Throws TargetError
    // for a bad base_url, std::runtime_error for an unreadable token or CA file.
    explicit HttpClient(HttpClientOptions options, int threads = 1);
    // Uses `io` (the caller runs it, and keeps it alive and running while
    // requests are in flight; destroy the client before `io`).
    HttpClient(HttpClientOptions options, boost::asio::io_context& io);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends `request` (method, path relative to the base URL, headers, body,
    // timeout) and calls `on_done` exactly once, never inline.
    void send(SendRequest request, HttpCallback on_done);
    // Calls `fn` once after `delay` on an I/O thread (dropped unrun if the
    // client is destroyed first).
    void schedule(std::chrono::milliseconds delay, std::function<void()> fn);

    const HttpTarget& target() const noexcept;
    HttpClientStats stats() const;

  private:
    std::unique_ptr<detail::IoRunner> io_;
    std::shared_ptr<detail::ClientCore> core_;
};

}  // namespace conflictlab::engine
