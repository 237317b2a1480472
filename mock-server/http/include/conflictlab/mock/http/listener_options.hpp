#pragma once
// ListenerOptions: everything the mock server's HTTP front end needs to know
// about sockets, limits and timeouts, as documented data. Behaviour (ETags,
// conflicts, faults) lives in the core's CoreOptions, not here.
//
// Thread-safety: a value; the server copies it at construction.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

namespace conflictlab::mock::http {

inline int default_thread_count() noexcept {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 2 : static_cast<int>(n);
}

struct ListenerOptions {
    // Address to bind. Loopback by default; anything else exposes the server.
    std::string address = "127.0.0.1";
    // TCP port; 0 asks the OS for an ephemeral port (start() returns it).
    std::uint16_t port = 8080;
    // I/O threads. Each owns one io_context; connections are spread over them.
    int threads = default_thread_count();

    // Largest request header block (request line + fields); over it -> 431.
    std::size_t header_limit_bytes = 16 * 1024;
    // Largest request body; over it -> 413. The CLI copies the core's value.
    std::size_t body_limit_bytes = 1024 * 1024;
    // Open connections at most; a connection over the limit is closed at once
    // and counted in FrontEndStats::connections_rejected.
    std::size_t max_connections = 10000;

    // Time allowed for one whole request (headers and body) from its first
    // byte: bounds a slow-loris trickle. Also bounds the TLS handshake.
    std::chrono::milliseconds read_timeout{10000};
    // Time a keep-alive connection may sit idle between requests.
    std::chrono::milliseconds idle_timeout{30000};
    // Time allowed to write one response to a client that reads slowly.
    std::chrono::milliseconds write_timeout{10000};
    // How long a "hang" fault holds a connection before closing it.
    std::chrono::milliseconds hang_limit{60000};
    // On stop: how long in-flight responses may take before connections are
    // closed by force.
    std::chrono::milliseconds shutdown_grace{5000};

    // TLS (1.2 or later) when both are set: PEM certificate chain and key.
    std::optional<std::string> tls_cert_file;
    std::optional<std::string> tls_key_file;

    // JSON-lines access log (one line per exchange); "-" writes to stdout.
    // Never contains Authorization or token values.
    std::optional<std::string> access_log_path;
};

// True when `address` is a loopback IPv4/IPv6 address (127.0.0.0/8, ::1);
// false for anything else, including text that is not an address.
bool is_loopback_address(const std::string& address) noexcept;

}  // namespace conflictlab::mock::http
