#pragma once
// RunResult: everything one `conflictlab run` produced, and its JSON form
// (the `--json` results file, docs/harness.md "Results JSON"). The metrics
// object inside it is what scenario expectations are evaluated against, so
// its field names are part of the scenario language (docs/scenarios.md).
//
// Thread-safety: values.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/harness/checker.hpp"
#include "conflictlab/harness/expectations.hpp"
#include "conflictlab/harness/metrics.hpp"
#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness {

// An op named in a report (a Failed op, an op of an anomaly).
struct OpRef {
    std::string op_id;
    std::string writer_id;
    std::string group;
    std::string resource_id;
    std::string outcome;  // "Failed", ...
    std::string path;
    std::string reason;  // failure reason name, "" when not failed
    std::string detail;
};
nlohmann::json to_json(const OpRef& op);

// One evaluated expectation and the operations it concerns.
struct ExpectationReport {
    ExpectationResult result;
    // Ops behind the measured value (anomaly ops for lost_updates, Failed ops
    // for outcomes.Failed, ...), at most a few dozen.
    std::vector<std::string> op_ids;
};

struct RunResult {
    std::string version;  // conflictlab version
    std::string scenario_name;
    std::string scenario_file;  // as given on the command line
    nlohmann::json scenario;    // the scenario as read (Scenario::source)
    std::uint64_t seed = 0;
    std::string reproduce;  // the exact command that reruns this
    std::string mode = "real";
    std::string target;      // "embedded http://127.0.0.1:PORT" or the URL
    std::string started_at;  // RFC 3339 wall time
    double wall_s = 0;       // first op started -> last op finished
    int writers = 0;
    int client_threads = 0;
    int server_threads = 0;  // 0 for an external target

    GroupMetrics total;
    std::vector<GroupMetrics> groups;
    TimeSeries series;
    SideLoad client_load;
    SideLoad server_load;                // embedded only
    std::uint64_t max_in_flight = 0;     // resolutions in flight at once, peak
    std::uint64_t peak_rss_kib = 0;      // the process's peak resident set
    std::uint64_t alerts_delivered = 0;  // alerts the sink received
    std::uint64_t history_ops = 0;       // OpRecords kept
    nlohmann::json server_stats;         // the core's /_admin/stats (null when unavailable)

    CheckReport check;
    std::vector<OpRef> failed_ops;  // first Failed ops (bounded), for reports
    std::vector<ExpectationReport> expectations;
    // Problems that are not expectations (e.g. the server history could not
    // be read); a non-empty list fails the run.
    std::vector<std::string> errors;
    // Aggregates the HTML report draws (dashboard_json(); null until
    // evaluate_expectations has seen the history). Bounded size.
    nlohmann::json dashboard;

    // True when every expectation held, there were no errors, and the
    // checker found nothing, unless an expectation asked for anomalies
    // (e.g. the blind workload's `lost_updates > 0`): a lost update fails a
    // run even when no expectation mentions it.
    bool passed() const;
    // The checker's part of the verdict (see passed()).
    bool checker_passed() const;
    // Some expectation asks for anomalies (lost_updates > 0, ...).
    bool anomalies_expected = false;
};

// The metrics object expectations are evaluated against:
// ops, acknowledged, success_rate, outcomes.{Success,Resolved,Discarded,
// Failed}, paths.*, reasons.*, attempts, conflicts, http_calls,
// retries_exhausted, alerts, alerts_delivered, goodput_per_s,
// attempts_per_update, calls_per_success, conflict_rate, latency.*, p50_ms,
// p90_ms, p99_ms, p999_ms, max_ms, lost_updates, phantom_writes,
// linearity_violations, wrong_discards, indeterminate, anomalies,
// duration_s, server.status.*, server.faults_fired, groups.<name>.*.
nlohmann::json metrics_json(const RunResult& result);

// The whole results file.
nlohmann::json to_json(const RunResult& result);

// Aggregates of the history for reports (docs/reports.md "The dashboard
// block"): attempts and latency histograms, conflicts per resource and
// per second on the hottest resources, response statuses per second. Its
// size is bounded whatever the number of ops.
nlohmann::json dashboard_json(const std::vector<OpRecord>& ops);

// Evaluates the scenario's expectations against metrics_json(result) and
// fills result.expectations, naming the ops involved; also fills
// result.dashboard (both drivers hand their history over here).
// `ops` is the run's history (for the op ids of failures).
void evaluate_expectations(RunResult& result, const std::vector<std::string>& expect,
                           const std::vector<OpRecord>& ops);

}  // namespace conflictlab::harness
