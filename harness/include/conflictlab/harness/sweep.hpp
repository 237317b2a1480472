#pragma once
// Sweep: one scenario run over a grid of settings (the cartesian product of
// every --vary axis), e.g. backoff kinds x writer counts, reported as a table,
// CSV and JSON (docs/harness.md "Sweeps").
//
// Vary keys: backoff (a backoff kind or preset name, for every group),
// writers (the total: the single group's count, or scaled across groups in
// proportion), max_attempts, strategy, resources, base_ms, cap_ms,
// policy.<field>[.<field>...] (any policy field, every group; the value is
// read as JSON, else as a string), workload.<field> (any workload field),
// sim.<field>[.<field>...] (the simulator's model, e.g.
// sim.network.delay_ms.mean). The scenario's RunMode (or `sweep --sim`)
// selects the runner: real, or the simulator (docs/sim.md).
//
// Thread-safety: pure functions over values.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/harness/results.hpp"
#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness {

struct VaryAxis {
    std::string key;
    std::vector<std::string> values;
};

// "key=v1,v2,...". Throws std::invalid_argument naming the problem.
VaryAxis parse_vary(std::string_view text);

// One grid point: (key, value) per axis, in axis order.
using Setting = std::vector<std::pair<std::string, std::string>>;

// The cartesian product, first axis slowest. Throws std::invalid_argument
// when the grid has more than `limit` points.
std::vector<Setting> expand_grid(const std::vector<VaryAxis>& axes, std::size_t limit = 1000);

// The scenario with one setting applied. Throws std::invalid_argument naming
// the key and the problem ("--vary backoff: unknown value \"fast\" ...").
Scenario apply_setting(const Scenario& scenario, const Setting& setting);

struct SweepRow {
    Setting setting;
    RunResult result;
};

// The table: one column per vary key, then goodput, calls/success, p99,
// Failed, lost updates, verdict.
std::string render_sweep_table(const std::vector<VaryAxis>& axes,
                               const std::vector<SweepRow>& rows);
std::string render_sweep_csv(const std::vector<VaryAxis>& axes, const std::vector<SweepRow>& rows);
// {"scenario", "axes", "runs": [{"setting": {...}, "seed", "passed", "metrics", "reproduce"}]}
nlohmann::json sweep_json(const std::string& scenario_file, const std::vector<VaryAxis>& axes,
                          const std::vector<SweepRow>& rows);

}  // namespace conflictlab::harness
