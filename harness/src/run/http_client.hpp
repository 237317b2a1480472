#pragma once
// HttpClient: the runner's HTTP/1.1 transport (plain TCP, keep-alive) on a
// few I/O threads. It performs engine::SendRequest values and answers with
// engine::Response or engine::TransportError, so the runner can drive
// engine::Resolution state machines directly and also issue the workload's
// own GETs. No Beast type appears here; the implementation is the only
// translation unit of the runner that includes Beast.
//
// Threads and affinity: `threads` loops, each one io_context on one thread.
// Every call names a loop; its callback runs on that loop's thread, so state
// touched only from one loop needs no lock. Each loop has its own
// connection pool of at most ceil(max_connections / threads) connections;
// requests beyond it wait in a FIFO (bounded by the callers: a writer has at
// most one request outstanding).
//
// Thread-safety: every member may be called from any thread.
// Ownership: callbacks are moved into the client; stop() drops those not run.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "conflictlab/engine/messages.hpp"

namespace conflictlab::harness::run_detail {

struct HttpTarget {
    std::string host = "127.0.0.1";  // an IP address or a name (resolved once)
    std::uint16_t port = 80;
    std::string base_path;     // prefix of every request path ("" or "/api")
    std::string bearer_token;  // Authorization: Bearer ... when not empty
};

// Parses "http://host:port/base". Throws std::invalid_argument naming the
// problem (https is not supported by this transport).
HttpTarget parse_http_url(const std::string& url);

struct ExchangeResult {
    std::optional<engine::Response> response;     // set, or
    std::optional<engine::TransportError> error;  // this
};
using ExchangeCallback = std::function<void(ExchangeResult)>;

class HttpClient {
  public:
    HttpClient(HttpTarget target, int threads, int max_connections);
    ~HttpClient();  // stops
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Resolves the host and starts the threads. Throws std::runtime_error.
    void start();
    // Stops the loops and joins the threads; pending callbacks are dropped.
    void stop();

    int loops() const noexcept;
    // Runs `fn` on loop `loop`'s thread.
    void post(int loop, std::function<void()> fn);
    // Runs `fn` on loop `loop` after `delay`.
    void after(int loop, std::chrono::milliseconds delay, std::function<void()> fn);
    // Sends `request` (path relative to the target's base path) on loop `loop`.
    void exchange(int loop, const engine::SendRequest& request, ExchangeCallback done);
    // Blocking form for setup and admin calls (not from a loop thread).
    ExchangeResult exchange_blocking(const engine::SendRequest& request);

    // CPU seconds used by the loop threads so far.
    double cpu_seconds() const;
    std::uint64_t connections_opened() const noexcept;

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conflictlab::harness::run_detail
