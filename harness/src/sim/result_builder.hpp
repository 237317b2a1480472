#pragma once
// The last steps of a run, for a finished simulation: metrics per group and
// in total, the first Failed ops, the checker (with per-group anomaly
// counts) and the expectations: the runner's own steps (run/run_steps.hpp),
// so that sim and real results compare.
//
// Thread-safety: pure over its arguments.

#include <cstddef>

#include "conflictlab/harness/history.hpp"
#include "conflictlab/harness/results.hpp"
#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness::sim::detail {

// REQUIRES: r.wall_s is set. `history.ops` are the run's ops in report order;
// `history.resources` the server's side. Fills r.total, r.groups,
// r.failed_ops, r.history_ops, r.check, r.expectations (and r.errors when
// the checker rejects the history).
void finish_result(RunResult& r, const Scenario& scenario, const History& history,
                   std::size_t anomaly_limit);

}  // namespace conflictlab::harness::sim::detail
