#pragma once
// HttpServer: the service's HTTP/1.1 front end (Boost.Beast, plain HTTP on
// loopback by default). It reads requests under the limits below, hands each
// one to a RequestHandler and writes the answer whenever the handler calls
// back (from any thread), then reads the next request (keep-alive). No Beast
// type appears in this header.
//
// Limits: a fresh parser per request with body_limit_bytes (413 beyond) and
// header_limit_bytes (431 beyond); malformed requests get 400; each of those
// answers carries Connection: close and is followed by a lingering close (stop
// sending, discard what the client still sends for up to 2 s / 64 MiB) so the
// client reads the answer instead of a reset; a deadline on every read
// (read_timeout, which also closes idle keep-alive connections) and write; at
// most max_connections open connections (more are closed at once).
//
// Graceful stop, in two phases (like the mock server): stop accepting and
// close connections waiting for a request; requests being handled get their
// answer (with Connection: close) for up to shutdown_grace; then whatever is
// left is closed by force and the threads are joined.
//
// Thread-safety: start(), stop() and port() from one controlling thread.
// Ownership: references the handler, which must outlive the server.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "conflictlab/service/http_types.hpp"

namespace conflictlab::service {

struct HttpServerOptions {
    // Address to bind; loopback by default (the service has no TLS of its own).
    std::string address = "127.0.0.1";
    // TCP port; 0 picks an ephemeral one (start() returns it).
    std::uint16_t port = 8080;
    // I/O threads. >= 1.
    int threads = 2;
    // Largest request body accepted (413 beyond).
    std::size_t body_limit_bytes = 1024 * 1024;
    // Largest request header block accepted (431 beyond).
    std::size_t header_limit_bytes = 16 * 1024;
    // Open connections at most; more are closed at once.
    std::size_t max_connections = 1'024;
    // Time to wait for and read one whole request (idle keep-alive included).
    std::chrono::milliseconds read_timeout{30'000};
    // Time to write one response.
    std::chrono::milliseconds write_timeout{10'000};
    // stop(): time for requests being handled to get their answer.
    std::chrono::milliseconds shutdown_grace{5'000};
};

class HttpServer {
  public:
    // REQUIRES: `handler` outlives the server.
    HttpServer(RequestHandler& handler, HttpServerOptions options);
    ~HttpServer();  // stop()
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds, listens and starts the I/O threads; returns the bound port.
    // Throws std::runtime_error (bad address, port in use) or
    // std::invalid_argument (bad option values).
    std::uint16_t start();
    // Graceful two-phase stop; idempotent; blocks until the threads are gone.
    void stop();
    std::uint16_t port() const noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// True for 127.0.0.0/8 and ::1.
bool is_loopback_address(const std::string& address) noexcept;

}  // namespace conflictlab::service
