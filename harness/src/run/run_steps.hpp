#pragma once
// The last steps of every run, real or simulated, so that both produce the
// same results from the same history: metrics per group and in total (with
// the first Failed ops), then the checker (with per-group anomaly counts) and
// the expectations.
//
// Thread-safety: pure over their arguments.

#include <cstddef>
#include <vector>

#include "conflictlab/harness/history.hpp"
#include "conflictlab/harness/results.hpp"
#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness::run_detail {

// REQUIRES: r.wall_s is set. Fills r.total, r.groups, r.failed_ops (the first
// 50) and r.history_ops from the ops, in report order.
void add_op_metrics(RunResult& r, const Scenario& scenario, const std::vector<OpRecord>& ops);

// Runs the checker over `history` (client ops + server side), keeps the first
// `anomaly_limit` anomalies and counts them per group, then evaluates the
// scenario's expectations. A history the checker rejects becomes an entry in
// r.errors.
void check_and_gate(RunResult& r, const Scenario& scenario, const History& history,
                    std::size_t anomaly_limit);

}  // namespace conflictlab::harness::run_detail
