#pragma once
// The simulator: `conflictlab sim SCENARIO` (or a scenario with "mode":
// "sim"). It runs the real engine::Resolution state machines of every writer
// against the real mock server core (mock::ServerCore: store, dialects,
// fault rules, throttle) in one thread, on a virtual clock, with one
// discrete-event scheduler. Nothing else is simulated but time: network hops,
// service times and queueing come from the scenario's SimModel
// (sim_model.hpp); every random choice derives from the run seed.
//
// A run goes like the real runner's (runner.hpp): create the resources, arm
// the fault rules, run the writers (per op: GET, generate_op, resolution until
// Done), then read the server's version histories, run the checker, compute
// the metrics and evaluate the expectations. The result is the same
// RunResult (mode "sim"; latencies and goodput in virtual time), plus a
// SimReport: the history digest, events processed and the speed of the
// simulation. docs/sim.md describes the model and its limits.
//
// Determinism: the same scenario, seed and build give a byte-identical
// canonical history (history_digest.hpp), hence the same digest.
//
// Thread-safety: simulate() uses no shared state; separate simulations may
// run concurrently on different threads.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "conflictlab/harness/results.hpp"
#include "conflictlab/harness/runner.hpp"
#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/harness/sim/sim_model.hpp"

namespace conflictlab::harness::sim {

// What the simulation itself measured (beyond the RunResult).
struct SimReport {
    std::string history_digest;         // "fnv1a64:..." over the canonical history
    std::uint64_t events = 0;           // events processed by the scheduler
    std::uint64_t requests = 0;         // requests the simulated server received
    std::uint64_t peak_pending = 0;     // most events waiting in the scheduler at once
    double virtual_s = 0;               // virtual time at the last event
    double real_s = 0;                  // real (steady clock) time the event loop took
    double events_per_s = 0;            // events / real_s
    std::uint64_t client_timeouts = 0;  // exchanges the clients gave up on
    SimModel model;                     // the model in force
};
nlohmann::json to_json(const SimReport& report);

struct SimResult {
    RunResult run;
    SimReport sim;
};

// Simulates `scenario` (already validated by parse_scenario; its mode may be
// real or sim: the file need not say "sim" for `conflictlab sim`). Uses from
// `options`: seed, scenario_file, progress (samples in virtual time),
// history_path (the canonical history is written there), anomaly_limit,
// version. Throws ScenarioError for a bad `sim` object (naming the field),
// std::invalid_argument for other bad input (e.g. an external target, bad
// server options: the message names the field). Problems found while running
// (a limit reached) are in RunResult::errors, which fail the run.
SimResult simulate(const Scenario& scenario, const RunOptions& options);

// simulate(), for callers that take a runner function (the sweep).
RunResult simulate_run(const Scenario& scenario, const RunOptions& options);

// The results file of a simulated run: the RunResult's JSON (same format as
// `conflictlab run --json`) with a "sim" object (to_json(SimReport)).
nlohmann::json results_json(const SimResult& result);

// The console summary: render_summary(run) followed by the simulation lines
// (virtual time, events, events/s, history digest).
std::string render_sim_summary(const SimResult& result);
// Just the simulation lines (each ending in '\n').
std::string render_sim_lines(const SimReport& report);

// "conflictlab sim FILE --seed N".
std::string sim_reproduce_command(const std::string& scenario_file, std::uint64_t seed);

}  // namespace conflictlab::harness::sim
