#pragma once
// detail: what every session of one server shares: the handler, the options,
// the access log, the stopping flag and the counters. Owned by the server,
// referenced by sessions (the server joins its threads before it dies).

#include <atomic>
#include <cstdint>

#include "access_log.hpp"
#include "conflictlab/mock/http/exchange_handler.hpp"
#include "conflictlab/mock/http/listener_options.hpp"
#include "session_registry.hpp"

namespace conflictlab::mock::http::detail {

struct Counters {
    std::atomic<std::uint64_t> connections_accepted{0};
    std::atomic<std::uint64_t> connections_rejected{0};
    std::atomic<std::uint64_t> connections_active{0};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> bad_requests{0};
    std::atomic<std::uint64_t> timeouts{0};
    std::atomic<std::uint64_t> tls_handshake_failures{0};
};

struct SharedState {
    SharedState(ExchangeHandler& h, const ListenerOptions& o) : handler(h), options(o) {}

    ExchangeHandler& handler;
    const ListenerOptions& options;
    AccessLog* access_log = nullptr;  // null when no access log was asked for
    std::atomic<bool> stopping{false};
    Counters counters;
    SessionRegistry registry;
};

}  // namespace conflictlab::mock::http::detail
