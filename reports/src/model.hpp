#pragma once
// The report's view of a results file: the fields the sections draw, read
// and validated once (ReportError names the JSON pointer of a missing or
// mistyped field), so the renderers never touch raw JSON.
//
// Thread-safety: values.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace conflictlab::reports::detail {

// A named count (outcome, path, reason, status, fault rule, resource...).
struct Count {
    std::string name;
    double value = 0;
};

struct ExpectationView {
    std::string text;
    bool passed = false;
    std::string measured;   // JSON text of the measured value ("unknown" when null)
    std::string threshold;  // JSON text of the threshold
    std::string detail;
    std::vector<std::string> op_ids;
};

struct LatencyView {
    double count = 0, mean_ms = 0, p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
};

struct AnomalyView {
    std::string kind;
    std::string resource_id;
    std::vector<std::string> op_ids;
    std::vector<std::string> versions;
    std::string detail;
};

struct FailedOpView {
    std::string op_id, writer_id, group, resource_id, path, reason, detail;
};

struct GroupView {
    std::string name;
    double ops = 0, success_rate = 0, goodput_per_s = 0, calls_per_success = 0,
           attempts_per_update = 0, p99_ms = 0, failed = 0;
};

// Counts per time slot (slot i covers [i*slot_s, (i+1)*slot_s) seconds).
struct SeriesView {
    double slot_s = 1;
    std::vector<std::pair<std::string, std::vector<double>>> rows;  // name -> per slot
};

struct DashboardView {
    std::vector<std::pair<double, double>> attempts;  // attempts -> ops
    std::vector<double> latency_le_ms;                // bucket upper bounds
    std::vector<double> latency_ops;                  // one more than le_ms
    double conflicts_total = 0;
    double conflicted_resources = 0;
    std::vector<Count> top_resources;
    SeriesView heat;      // resource -> conflicts per slot
    SeriesView statuses;  // status code -> responses per slot
    SeriesView ops;       // completed/acknowledged/failed/conflicts per slot (finer than
                          // time_series on short runs)
};

struct RunView {
    std::string scenario_name, scenario_file, description, version, started_at, mode, target,
        reproduce;
    std::uint64_t seed = 0;
    bool passed = false;
    std::vector<std::string> errors;
    std::vector<ExpectationView> expectations;
    double ops = 0, acknowledged = 0, success_rate = 0, goodput_per_s = 0, calls_per_success = 0,
           attempts_per_update = 0, attempts = 0, conflicts = 0, conflict_rate = 0, http_calls = 0,
           duration_s = 0, writers = 0, alerts = 0, alerts_delivered = 0, retries_exhausted = 0;
    std::vector<Count> outcomes, paths, reasons, statuses, fault_firings;
    double faults_fired = 0;
    LatencyView latency;
    bool checker_passed = true, checker_clean = true, anomalies_expected = false;
    std::vector<Count> checker_counts;  // lost_updates, phantom_writes, ...
    double anomalies_total = 0;
    std::vector<AnomalyView> anomalies;
    std::vector<FailedOpView> failed_ops;
    double failed_total = 0;
    std::vector<GroupView> groups;
    std::optional<SeriesView> series;        // time_series: completed/acknowledged/failed/conflicts
    std::optional<DashboardView> dashboard;  // absent in files written before it existed
    std::vector<Count> server_top_resources;  // server_stats.conflicts.top_resources
    std::string sim_digest;                   // simulated runs: the history digest
};

struct SweepRunView {
    std::vector<std::pair<std::string, std::string>> setting;  // axis -> value, in axis order
    std::uint64_t seed = 0;
    bool passed = false;
    std::vector<std::string> errors;
    std::string reproduce;
    double writers = 0, ops = 0, goodput_per_s = 0, calls_per_success = 0, attempts_per_update = 0,
           conflict_rate = 0, p50_ms = 0, p99_ms = 0, max_ms = 0, failed = 0, lost_updates = 0;
};

struct SweepView {
    std::string scenario_file, mode;
    std::vector<std::pair<std::string, std::vector<std::string>>> axes;
    std::vector<SweepRunView> runs;
    bool passed = true;
};

// REQUIRES: results_kind(j) == run / sweep. Throws ReportError.
RunView read_run(const nlohmann::json& j);
SweepView read_sweep(const nlohmann::json& j);

}  // namespace conflictlab::reports::detail
