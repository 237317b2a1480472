#pragma once
// SimModel: what the simulator assumes about time, as named, documented data
// read from a scenario's `sim` object (docs/scenarios.md "sim"). Everything
// else (the server's rules, dialect, faults, throttle; the writers; the
// engine) is the real code, unchanged; only the passage of time is modelled:
//
//   network   one-way delay of every request and every response,
//             |N(mean, sd)| milliseconds, drawn per hop
//   server    service time of every request, |N(mean, sd)| ms; writes to the
//             same resource served one at a time (a row lock); optionally at
//             most `concurrency_limit` requests in service at once (a worker
//             pool; the rest wait in FIFO order); hang faults hold the
//             connection `hang_limit_ms` (as the real front end does)
//   limits    the run stops (and fails) beyond this many events or this much
//             virtual time: every simulated run is bounded
//
// The defaults approximate the embedded mock server on loopback (sub-ms
// network, tens of microseconds of service), so a scenario written for real
// mode means roughly the same in sim mode.
//
// Thread-safety: values and pure functions.

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/engine/random.hpp"

namespace conflictlab::harness::sim {

// |N(mean_ms, sd_ms)|: a normal distribution folded at 0 (a delay is never
// negative). sd_ms == 0 gives exactly mean_ms and draws nothing.
struct DelayDistribution {
    double mean_ms = 0.0;  // 0..60000
    double sd_ms = 0.0;    // 0..60000

    bool operator==(const DelayDistribution&) const = default;
};

struct NetworkModel {
    // One-way delay of each hop (client -> server, server -> client).
    DelayDistribution delay{0.1, 0.03};

    bool operator==(const NetworkModel&) const = default;
};

struct ServerModel {
    // Time the server spends on one request once it is served.
    DelayDistribution service{0.05, 0.02};
    // Writes (PUT, PATCH, DELETE, POST) to the same resource path are served
    // one at a time, in arrival order; reads are never held up.
    bool serialize_writes = true;
    // Requests in service at once, at most; 0 = unlimited. Requests beyond
    // it wait in one FIFO queue.
    int concurrency_limit = 0;
    // A `hang` fault holds the connection this long (after any injected
    // delay) before closing it; injected delays are capped at it too. The
    // real front end's default (--hang-limit-ms).
    std::int64_t hang_limit_ms = 60'000;

    bool operator==(const ServerModel&) const = default;
};

struct SimLimits {
    // Events processed at most; beyond it the run stops with an error.
    std::uint64_t max_events = 2'000'000'000;
    // Virtual time at most, seconds; beyond it the run stops with an error.
    double max_virtual_s = 7 * 24 * 3600.0;

    bool operator==(const SimLimits&) const = default;
};

struct SimModel {
    NetworkModel network;
    ServerModel server;
    SimLimits limits;

    bool operator==(const SimModel&) const = default;
};

// Reads the scenario's `sim` object; absent fields keep the defaults above,
// unknown fields are errors. Throws ScenarioError "<source>: sim.<path>:
// <problem>", e.g. "s.json: sim.network.delay_ms.sd: must be between 0 and
// 60000 (got -1)".
SimModel parse_sim_model(const nlohmann::json& sim, std::string_view source);

// Every field, with the names parse_sim_model reads.
nlohmann::json to_json(const SimModel& model);

// One draw of |N(mean, sd)|, in nanoseconds (rounded). Uses two
// uniform01() values (Box-Muller, cosine branch) unless sd_ms == 0.
std::int64_t sample_delay_ns(const DelayDistribution& d, engine::RandomSource& random);

}  // namespace conflictlab::harness::sim
