#pragma once
// MockHttpServer: the mock server's HTTP/1.1 front end (Boost.Beast, plain or
// TLS). It accepts connections, parses requests under the limits of
// ListenerOptions, hands each one to the core (or any ExchangeHandler) and
// carries out the answer: the response after its delay, or a reset, a silent
// close or a hang, as the fault rules chose. No Beast type appears here.
//
// Life cycle:
//   MockHttpServer server(core, options);
//   std::uint16_t port = server.start();  // binds; I/O runs on internal threads
//   ...                                   // embedders keep going here
//   server.stop();                        // graceful: see below
// or, for a command-line process, server.run(): start() if needed, then block
// until SIGINT/SIGTERM or stop(), then shut down gracefully.
//
// Graceful stop, in two phases: stop accepting and close idle connections;
// let requests already being answered finish (each last response carries
// `Connection: close`) for up to `shutdown_grace`; then close whatever is
// left by force and join the threads.
//
// Thread-safety: start(), stop(), wait(), port() and stats() may be called
// from any thread except the server's own I/O threads (stop() and wait()
// block until the threads are gone). Ownership: the server references the
// core or handler given to it, which must outlive the server.

#include <cstdint>
#include <memory>

#include "conflictlab/mock/http/exchange_handler.hpp"
#include "conflictlab/mock/http/listener_options.hpp"

namespace conflictlab::mock {
class ServerCore;
}

namespace conflictlab::mock::http {

// Counters of what the front end did, for tests and diagnostics.
struct FrontEndStats {
    std::uint64_t connections_accepted = 0;  // accepted and served
    std::uint64_t connections_rejected = 0;  // closed at once: over max_connections
    std::uint64_t connections_active = 0;    // open right now
    std::uint64_t requests = 0;              // complete requests handed to the core
    std::uint64_t bad_requests = 0;          // malformed/oversized: 400/413/431 sent
    std::uint64_t timeouts = 0;              // connections closed by a read/idle/write timeout
    std::uint64_t tls_handshake_failures = 0;
};

class MockHttpServer {
  public:
    // REQUIRES: `core` outlives the server.
    MockHttpServer(ServerCore& core, ListenerOptions options);
    // REQUIRES: `handler` outlives the server.
    MockHttpServer(ExchangeHandler& handler, ListenerOptions options);
    // Stops gracefully if still running.
    ~MockHttpServer();

    MockHttpServer(const MockHttpServer&) = delete;
    MockHttpServer& operator=(const MockHttpServer&) = delete;

    // Loads TLS files, opens the access log, binds and listens, and starts
    // the I/O threads. Returns the bound port. Throws std::runtime_error (bad
    // address, port in use, unreadable certificate/key, access log not
    // writable) or std::invalid_argument (bad option values), with a message
    // naming the problem. REQUIRES: called at most once.
    std::uint16_t start();

    // start() if not started, then block until SIGINT/SIGTERM or stop(), then
    // complete the graceful stop. A command-line caller may block SIGINT and
    // SIGTERM before start() (the I/O threads inherit the mask) so that a
    // signal arriving before run() is not lost: run() unblocks both in the
    // calling thread once its handler is installed.
    void run();

    // Graceful two-phase stop (see above); idempotent; blocks until done.
    void stop();

    // Blocks until the server has stopped (by stop(), run() or a signal).
    void wait();

    // The bound port (0 before start()).
    std::uint16_t port() const noexcept;
    bool tls() const noexcept;

    FrontEndStats stats() const;

  private:
    class Impl;
    std::unique_ptr<ExchangeHandler> owned_handler_;  // adapter around a ServerCore
    std::unique_ptr<Impl> impl_;
};

}  // namespace conflictlab::mock::http
