#pragma once
// WriterPool: the writers of one run, as sequential actors on the client's
// I/O loops. Per op a writer GETs the resource, builds its update
// (generate_op), drives an engine::Resolution through the HttpClient
// (SendRequest -> exchange, Sleep -> timer) until Done, records a compact
// OpRecord, and starts its next op (after the think time) until its op
// budget or the run's duration is spent. A writer and its pair partner live
// on the same loop, so a pair's barrier needs no lock.
//
// Thread-safety: run() blocks the calling thread (which samples progress)
// until every writer is done; everything else happens on the loops.

#include <cstdint>
#include <string>
#include <vector>

#include "conflictlab/harness/console.hpp"
#include "conflictlab/harness/metrics.hpp"
#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/harness/workload.hpp"
#include "target.hpp"

namespace conflictlab::harness::run_detail {

struct WriterPoolOptions {
    int client_threads = 1;        // I/O loops
    int max_connections = 256;     // connection pool bound, all loops together
    Progress* progress = nullptr;  // borrowed; null = no progress display
    double progress_interval_s = 0.25;
};

struct WriterPoolResult {
    std::vector<OpRecord> ops;  // every op, compacted
    double wall_s = 0;          // first op started -> last op finished
    TimeSeries series;
    std::uint64_t max_in_flight = 0;
    double client_cpu_s = 0;
    std::vector<std::string> errors;
};

class WriterPool {
  public:
    // All references are borrowed for the pool's lifetime.
    WriterPool(const Scenario& scenario, const WorkloadModel& model,
               const std::vector<WriterPlan>& writers, Target& target,
               const WriterPoolOptions& options);
    ~WriterPool();
    WriterPoolResult run();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Drops what the checker and metrics do not need from a finished op's
// outcome (bodies, deltas, notes beyond a few), so 10,000 writers' histories
// stay small.
void compact(engine::Outcome& outcome);

// The JSON Adaptive Card alert the runner posts to the embedded server's
// /_admin/alerts sink for a Failed outcome that asked for one.
nlohmann::json alert_card(const OpRecord& op);

}  // namespace conflictlab::harness::run_detail
