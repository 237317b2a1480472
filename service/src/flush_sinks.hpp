#pragma once
// What both services (SQLite and Redis) do with their outcome sinks when they
// stop: flush the transaction log (an error is logged, not thrown: stopping
// must finish), then the monitor and the alert sender. One place, so the two
// services cannot drift apart on it.
//
// Thread-safety: call from the stopping thread once the workers are joined.

#include <exception>
#include <functional>

#include <nlohmann/json.hpp>

#include "conflictlab/service/service.hpp"

namespace conflictlab::service::detail {

// `log` receives one operational line per flush error.
inline void flush_sinks(const ServiceDeps& deps, const std::function<void(nlohmann::json)>& log) {
    if (deps.transaction_log) {
        try {
            deps.transaction_log->flush();
        } catch (const std::exception& e) {
            log({{"event", "log-flush-error"}, {"error", e.what()}});
        }
    }
    if (deps.monitor)
        deps.monitor->flush();
    if (deps.alerts)
        deps.alerts->flush();
}

}  // namespace conflictlab::service::detail
