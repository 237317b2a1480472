#pragma once
// DriverOptions: how the engine's drivers (BlockingDriver, AsyncDriver) reach
// the target and how many resources they may use. Documented data; every
// field has a default except http.base_url. docs/engine.md "Drivers" lists
// them with their defaults.
//
// Thread-safety: a value; drivers copy it at construction.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "conflictlab/engine/http_client.hpp"

namespace conflictlab::engine {

struct DriverOptions {
    // Target, authentication, TLS, connection pool and response limits.
    HttpClientOptions http;
    // AsyncDriver: I/O threads it runs (ignored when given an io_context). >= 1.
    int threads = 2;
    // AsyncDriver: resolutions in flight at most; submit() beyond it throws
    // std::length_error (the caller is expected to bound its concurrency).
    std::size_t max_in_flight = 100'000;
    // AsyncDriver: seed of the per-resolution random sources (backoff
    // jitter). Resolution n (in submission order) uses a child seed derived
    // from (seed, n), so a run is reproducible given the submission order.
    std::uint64_t seed = 1;
    // AsyncDriver destructor: how long resolutions still in flight may take
    // to reach their next step before the I/O threads are stopped. Sleeping
    // resolutions are cancelled at once; all of them are abandoned (their
    // callbacks are not called) and counted in AsyncDriverStats::abandoned.
    std::chrono::milliseconds shutdown_grace{5'000};
};

}  // namespace conflictlab::engine
