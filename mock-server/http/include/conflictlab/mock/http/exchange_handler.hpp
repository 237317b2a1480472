#pragma once
// ExchangeHandler: what the HTTP front end calls for every parsed request. The
// mock server's ServerCore is the real one (MockHttpServer adapts it); tests
// of the front end plug in small fakes to drive connection fates, delays and
// limits without the store.
//
// Thread-safety: handle() and observe_latency() are called concurrently from
// every I/O thread; implementations must be thread-safe and must not block
// for long (delays are expressed in Response::delay, never slept).

#include <chrono>
#include <string_view>

#include "conflictlab/mock/exchange.hpp"

namespace conflictlab::mock::http {

class ExchangeHandler {
  public:
    virtual ~ExchangeHandler() = default;
    // The answer to one request, including its delay and connection fate.
    virtual Response handle(const Request& request) = 0;
    // Called once the response has been written (fate respond only), with the
    // time from the request's last byte to the response's last byte.
    virtual void observe_latency(std::string_view method, int status,
                                 std::chrono::nanoseconds latency) = 0;
};

}  // namespace conflictlab::mock::http
