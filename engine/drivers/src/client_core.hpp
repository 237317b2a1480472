#pragma once
// detail::ClientCore: the connection pool and request lifecycle behind
// HttpClient, BlockingDriver and AsyncDriver (one core per target host).
//
// Theory of operation.
//   send()     renders the request into one buffer (wire_headers,
//              render_request: one contiguous send, cheaper per request than
//              Beast's serializer over a buffer sequence), computes the deadline
//              (now + timeout) and takes a connection: the most recently
//              used idle one that is still alive (a non-blocking peek sees
//              no FIN/data and it has not idled past idle_connection_timeout),
//              else a new one while open < max_connections, else the request
//              waits in the FIFO queue (bounded; full -> fails at once).
//   Connection runs one exchange at a time on its own strand: [resolve ->
//              connect -> TLS handshake ->] write -> read, every step under
//              the request's absolute deadline (tcp_stream::expires_at).
//   release()  on success with keep-alive the connection serves the next
//              queued request directly (no thread hop) or goes back to the
//              idle list; on any error or "Connection: close" it is closed and
//              its slot may open a new connection for a queued request.
//   sweep      while requests are queued, a timer fails those whose deadline
//              passed with TransportError{timeout, may_have_reached=false}.
//
// Locking: one mutex guards the idle list, the queue and the counts; it is
// never held while calling user callbacks or doing socket I/O other than the
// peek. Callbacks are posted or run at the end of a strand handler, never
// inline in send().

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "conflictlab/engine/http_client.hpp"

namespace conflictlab::engine::detail {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

// One request on its way: the wire message, where to report, and its deadline.
struct Exchange {
    std::string method;    // as sent
    std::string target;    // request-target as sent
    HeaderFields headers;  // as sent (the request log shows them, redacted)
    std::string wire;      // the whole request message (render_request)
    HttpCallback on_done;
    Clock::time_point started;
    Clock::time_point deadline;
    RequestPurpose purpose = RequestPurpose::write;
    bool head = false;
};

// A pooled connection (plain or TLS). Implemented in client_core.cpp.
class Connection : public std::enable_shared_from_this<Connection> {
  public:
    virtual ~Connection() = default;
    // Runs `ex` on this connection's strand (connecting first if needed).
    virtual void run(std::unique_ptr<Exchange> ex) = 0;
    // Idle only (no operation outstanding): true when the peer has neither
    // closed nor sent anything since the last response.
    virtual bool idle_alive() = 0;

    Clock::time_point idle_since{};
    std::uint64_t exchanges = 0;  // completed on this connection
};

// Atomic counters behind HttpClientStats.
struct CoreCounters {
    std::atomic<std::uint64_t> requests{0}, responses{0}, transport_errors{0};
    std::atomic<std::uint64_t> errors_by_kind[5]{};
    std::atomic<std::uint64_t> connections_opened{0}, connections_reused{0},
        connections_discarded{0};
    std::atomic<std::uint64_t> queued{0}, queue_rejected{0}, queue_timeouts{0};
};

class ClientCore : public std::enable_shared_from_this<ClientCore> {
  public:
    // Throws TargetError / std::runtime_error for bad options (see HttpClient).
    ClientCore(net::any_io_executor executor, HttpClientOptions options);
    ~ClientCore();

    void send(SendRequest request, HttpCallback on_done);
    // Closes idle connections and fails queued requests; later send()s fail
    // with TransportError{connect, false}. Idempotent.
    void shutdown();

    // Called by a connection on its strand when an exchange finished. Returns
    // the next queued exchange for it when `reusable`, else nullptr (it was
    // parked idle, or dropped when !reusable).
    std::unique_ptr<Exchange> release(const std::shared_ptr<Connection>& connection, bool reusable);
    // Completion accounting + request log; called once per exchange.
    void completed(const Exchange& ex, const HttpResult& result);

    net::any_io_executor executor() const { return executor_; }
    const HttpTarget& target() const noexcept { return target_; }
    const HttpClientOptions& options() const noexcept { return options_; }
    net::ssl::context* ssl_context() noexcept { return ssl_ ? &*ssl_ : nullptr; }
    const std::string& authorization() const noexcept { return identity_.authorization; }
    // The bearer token itself (for scrubbing outcomes); empty when none.
    const std::string& secret() const noexcept { return secret_; }
    HttpClientStats stats() const;

  private:
    std::shared_ptr<Connection> make_connection();
    void fail_later(HttpCallback cb, TransportError error);
    void arm_sweep_locked();
    // The first queued exchange whose deadline has not passed; expired ones
    // are moved to `expired` (fail them with fail_expired after unlocking).
    std::unique_ptr<Exchange> pop_waiter_locked(std::vector<std::unique_ptr<Exchange>>& expired);
    void fail_expired(std::vector<std::unique_ptr<Exchange>>& expired);
    void sweep();

    net::any_io_executor executor_;
    HttpClientOptions options_;
    HttpTarget target_;
    ClientIdentity identity_;
    std::string secret_;
    std::optional<net::ssl::context> ssl_;

    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<Connection>> idle_;  // LIFO: hot connections stay hot
    std::deque<std::unique_ptr<Exchange>> waiting_;
    std::size_t open_ = 0;  // connections counted against max_connections
    bool shut_down_ = false;
    bool sweep_armed_ = false;
    net::steady_timer sweep_timer_;

    mutable CoreCounters counters_;
};

}  // namespace conflictlab::engine::detail
