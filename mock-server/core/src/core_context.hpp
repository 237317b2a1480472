#pragma once
// CoreContext: everything ServerCore owns, in one struct the request handlers
// share. Internal to the core; tests include it (with the handler headers)
// to drive the handlers with hand-made fault decisions.
//
// Thread-safety: the members are individually thread-safe; options and the
// version pointer are immutable after construction.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "alert_sink.hpp"
#include "body_version.hpp"
#include "conflictlab/mock/clock.hpp"
#include "conflictlab/mock/core_options.hpp"
#include "conflictlab/mock/etag_generator.hpp"
#include "conflictlab/mock/exchange.hpp"
#include "conflictlab/mock/faults/fault_injector.hpp"
#include "conflictlab/mock/faults/throttle.hpp"
#include "conflictlab/mock/store.hpp"
#include "stats.hpp"

namespace conflictlab::mock {

struct CoreContext {
    // Throws std::invalid_argument when options.fault_rules is invalid.
    CoreContext(CoreOptions options, const Clock& clock);

    const CoreOptions options;
    const Clock& clock;
    const VersionPointer version_pointer;
    Store store;
    EtagGenerator etags;
    Stats stats;
    AlertSink alerts;
    FaultInjector faults;
    std::unique_ptr<Throttle> throttle;         // null when throttling is off
    std::atomic<std::uint64_t> id_sequence{0};  // server-generated resource ids
};

// A handled request: the response and, when it answered a conflict, which kind.
struct Handled {
    Response response;
    ConflictKind conflict = ConflictKind::none;
};

// One request to /resources or /resources/{id}, after routing and auth.
struct ResourceCall {
    const Request& request;
    std::string_view path;   // without the query
    std::string_view query;  // after '?', may be empty
    std::string_view id;     // empty for the collection
};

}  // namespace conflictlab::mock
