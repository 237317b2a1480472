#pragma once
// ServerCore: the mock server without networking. A pure request -> response
// function over the store, the ETag generator, the fault injector and the
// throttle, plus the admin API, stats and Prometheus metrics. The Beast front
// end (mock-server/http) feeds it parsed requests and carries out its
// responses; the simulator and the tests call handle() directly.
// docs/mock-server.md documents every endpoint.
//
// Per /resources request: authorization, method check, throttle (429), fault
// rules (store effects, then an injected status, delay and connection fate),
// then the resource logic of the configured dialect.
//
// Thread-safety: handle() and observe_latency() may be called concurrently
// from any number of threads; there is no global lock on the request path
// (the store is sharded, counters are atomics). Ownership: the clock must
// outlive the core.

#include <chrono>
#include <memory>
#include <string_view>

#include "conflictlab/mock/clock.hpp"
#include "conflictlab/mock/core_options.hpp"
#include "conflictlab/mock/etag_generator.hpp"
#include "conflictlab/mock/exchange.hpp"
#include "conflictlab/mock/faults/fault_injector.hpp"
#include "conflictlab/mock/store.hpp"

namespace conflictlab::mock {

struct CoreContext;

class ServerCore {
  public:
    // Throws std::invalid_argument when options.fault_rules is not a valid
    // rule file (parse_core_options has already checked files it read).
    ServerCore(CoreOptions options, const Clock& clock);
    ~ServerCore();
    ServerCore(const ServerCore&) = delete;
    ServerCore& operator=(const ServerCore&) = delete;

    // The answer to one request. Never throws for any request content.
    Response handle(const Request& request);

    // The front end reports each completed exchange, for the duration histogram.
    void observe_latency(std::string_view method, int status, std::chrono::nanoseconds latency);

    FaultInjector& faults();
    EtagGenerator& etags();
    const CoreOptions& options() const;
    Store& store();

  private:
    std::unique_ptr<CoreContext> context_;
};

// An RFC 9457 problem (application/problem+json) with type "about:blank",
// for the front end's own errors (400 malformed HTTP, 413, 431).
Response problem_response(int status, std::string_view title, std::string_view detail);

}  // namespace conflictlab::mock
