#pragma once
// AsyncDriver: many Resolutions in flight on a few threads, over Boost.Beast.
// Each submitted Update becomes a small job that performs its Resolution's
// actions asynchronously: SendRequest through the pooled HTTP/1.1 client
// (keep-alive, bounded connections per host, per-attempt deadlines, TLS),
// Sleep on a steady_timer (no thread blocked), Done -> the caller's callback.
//
//   DriverOptions options;
//   options.http.base_url = "https://api:8443";
//   options.http.ca_file = "ca.pem";
//   AsyncDriver driver(options);
//   driver.submit(update, policy, [](Outcome o) { sink.record(o); });
//   driver.wait_idle(30s);
//
// Concurrency bounds: at most DriverOptions::max_in_flight resolutions
// (submit throws beyond it), at most http.max_connections connections; a
// request finding none free waits in a FIFO queue of at most
// http.max_queued_requests (beyond it the request fails at once as a
// transport error that nothing was sent, which the Resolution backs off
// from). The intended use is a caller that bounds its own concurrency (the
// harness: one in-flight update per writer).
//
// Thread-safety: every member function may be called from any thread,
// including from inside on_done. on_done runs on an I/O thread, once per
// submit (unless the driver is destroyed first), must be thread-safe with
// respect to the caller's own state, must not block, and should not throw
// (an exception is caught and counted).
// Ownership: the driver copies its options, the Update and the Policy.
// Destroying the driver cancels what is still in flight (see
// DriverOptions::shutdown_grace); call wait_idle() first for a clean finish.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "conflictlab/engine/driver_options.hpp"
#include "conflictlab/engine/outcome.hpp"
#include "conflictlab/engine/policy.hpp"
#include "conflictlab/engine/update.hpp"

namespace boost::asio {
class io_context;
}

namespace conflictlab::engine {

namespace detail {
struct AsyncDriverState;
}  // namespace detail

struct AsyncDriverStats {
    std::uint64_t submitted = 0;
    std::uint64_t completed = 0;  // on_done called
    std::uint64_t in_flight = 0;  // gauge
    std::uint64_t peak_in_flight = 0;
    std::uint64_t sleeps = 0;               // Sleep actions performed
    std::uint64_t callback_exceptions = 0;  // on_done threw
    std::uint64_t abandoned = 0;            // dropped by the destructor
    std::uint64_t internal_errors = 0;      // the core threw (a bug): Failed outcome
    HttpClientStats http;
};

class AsyncDriver {
  public:
    using OnDone = std::function<void(Outcome)>;

    // Runs DriverOptions::threads I/O threads of its own. Throws TargetError
    // or std::runtime_error for bad options.
    explicit AsyncDriver(DriverOptions options);
    // Runs on `io`, which the caller runs (on any number of threads) and
    // keeps alive until the driver is destroyed.
    AsyncDriver(DriverOptions options, boost::asio::io_context& io);
    ~AsyncDriver();
    AsyncDriver(const AsyncDriver&) = delete;
    AsyncDriver& operator=(const AsyncDriver&) = delete;

    // Starts resolving `update` under `policy`; `on_done` receives the
    // outcome (bearer token scrubbed). Throws std::invalid_argument
    // (PolicyError) for an invalid update or policy and std::length_error at
    // max_in_flight, in both cases before anything is sent.
    void submit(Update update, const Policy& policy, OnDone on_done);

    // Waits until no resolution is in flight (every on_done has returned) or
    // `timeout` passes; true when idle.
    bool wait_idle(std::chrono::milliseconds timeout);

    AsyncDriverStats stats() const;

  private:
    std::shared_ptr<detail::AsyncDriverState> state_;
};

}  // namespace conflictlab::engine
