#pragma once
// HttpClient: the runner's transport. It gives the runner loop affinity on
// top of the engine's HTTP client (engine/drivers: keep-alive pool, HTTPS
// with verification, bounded queue, credential redaction): `threads` loops,
// each one io_context on one thread with its own engine::HttpClient, so a
// writer's callbacks always run on its loop's thread and state touched only
// from one loop needs no lock. It performs engine::SendRequest values and
// answers with engine::Response or engine::TransportError, so the runner
// drives engine::Resolution state machines directly and also issues the
// workload's own GETs. No Beast type appears here.
//
// Connections: each loop's client opens at most
// ceil(max_connections / threads) connections; requests beyond it wait in
// that client's FIFO (bounded by the callers: a writer has at most one
// request outstanding).
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
    // http:// or https://host[:port][/base]; requests go to base + path.
    std::string url;
    // Bearer token source for every request ("env:NAME" or "file:PATH", read
    // once by start()); empty: none. The value never appears in messages.
    std::string bearer_token_secret;
    // https: extra trusted CA certificates (PEM), and the switch that turns
    // verification off for self-signed test servers.
    std::string ca_file;
    bool insecure_skip_verify = false;
};

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

    // Checks the target (URL, token source, CA file) and starts the threads.
    // Throws engine::TargetError (a std::invalid_argument) for a bad URL,
    // std::runtime_error for an unreadable token or CA file, each naming the
    // problem.
    void start();
    // Stops the loops and joins the threads; pending callbacks are dropped.
    void stop();

    int loops() const noexcept;
    // Runs `fn` on loop `loop`'s thread.
    void post(int loop, std::function<void()> fn);
    // Runs `fn` on loop `loop` after `delay`.
    void after(int loop, std::chrono::milliseconds delay, std::function<void()> fn);
    // Sends `request` (path relative to the target's base path) on loop
    // `loop`; `done` runs on that loop's thread.
    void exchange(int loop, engine::SendRequest request, ExchangeCallback done);
    // Blocking form for setup and admin calls (not from a loop thread).
    ExchangeResult exchange_blocking(engine::SendRequest request);

    // CPU seconds used by the loop threads so far.
    double cpu_seconds() const;
    std::uint64_t connections_opened() const noexcept;

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conflictlab::harness::run_detail
