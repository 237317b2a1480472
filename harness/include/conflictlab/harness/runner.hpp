#pragma once
// The runner: one scenario, one run, one RunResult (docs/harness.md).
//
//   1. start the target: the mock server embedded in this process on an
//      ephemeral 127.0.0.1 port (ServerCore + MockHttpServer), or an external
//      URL;
//   2. create (seed) every resource of the workload;
//   3. start the writers: each writer is a sequential actor on one of the
//      client I/O threads; per op it GETs the resource, builds the update
//      (workload.hpp), drives an engine::Resolution to its Outcome and records
//      an OpRecord; writer groups carry their own policies;
//   4. read the server's version history of every resource (the Store
//      directly when embedded, /_admin/history/{id} otherwise) and run the
//      checker on the client and server histories;
//   5. compute the metrics and evaluate the expectations.
//
// Memory: the history keeps one compact OpRecord per op (bodies, deltas and
// request details are dropped once the op is counted); metrics use
// fixed-size histograms and slots; request queues are bounded by the number
// of writers (one outstanding request each).
//
// Thread-safety: run_scenario() may be called from one thread at a time per
// process (it starts its own threads and joins them before returning).

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "conflictlab/harness/console.hpp"
#include "conflictlab/harness/results.hpp"
#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness {

struct RunOptions {
    // Overrides Scenario::seed when set (--seed).
    std::optional<std::uint64_t> seed;
    // Overrides the target with an external URL (--target).
    std::optional<std::string> target_url;
    // Override target.server_threads / client.threads (--server-threads,
    // --client-threads) when > 0.
    int server_threads = 0;
    int client_threads = 0;
    // The scenario file as given on the command line (for the reproduce line).
    std::string scenario_file;
    // Extra flags to repeat in the reproduce command (e.g. "--target URL").
    std::string reproduce_extra;
    // Progress display (borrowed; null = none).
    Progress* progress = nullptr;
    // Progress samples are taken this often.
    double progress_interval_s = 0.25;
    // Write every OpRecord as JSON lines here when not empty (--history).
    std::string history_path;
    // Anomalies kept in the report (counts stay exact).
    std::size_t anomaly_limit = 100;
    // The conflictlab version, for results.
    std::string version;
};

// Runs `scenario` (already validated by parse_scenario). Throws
// std::invalid_argument for options that do not fit the scenario (e.g. the
// server options in target.server are invalid: the message names the field)
// and std::runtime_error when the target cannot be started or reached.
// Problems discovered after the writers started (e.g. a history that could
// not be read) are reported in RunResult::errors instead.
RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

// The command that reruns a scenario: "conflictlab run FILE --seed N ...".
std::string reproduce_command(const std::string& scenario_file, std::uint64_t seed,
                              const std::string& extra);

}  // namespace conflictlab::harness
