// `conflictlab sweep SCENARIO --vary KEY=V1,V2 ...`: the scenario over the
// cartesian product of the --vary axes, one run per point, then a table and
// optional CSV / JSON (docs/harness.md "Sweeps"). Every point is validated
// before the first run (bad key or value: exit 2, nothing run). Exit 0 when
// every run passed, 1 when some run failed its gates.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "command.hpp"
#include "conflictlab/harness/console.hpp"
#include "conflictlab/harness/junit.hpp"
#include "conflictlab/harness/runner.hpp"
#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/harness/sim/simulator.hpp"
#include "conflictlab/harness/sweep.hpp"
#include "usage.hpp"

namespace conflictlab::cli {

namespace {

struct SweepFlags {
    std::string scenario;
    std::vector<std::string> vary;
    std::uint64_t seed_value = 0;
    bool seed_given = false;
    std::optional<std::uint64_t> seed() const {
        return seed_given ? std::optional<std::uint64_t>(seed_value) : std::nullopt;
    }
    std::string target;
    int server_threads = 0;
    int client_threads = 0;
    std::string csv_file;
    std::string json_file;
    std::string junit_file;
    bool quiet = false;
    bool sim = false;  // --sim: simulate whatever the scenario's mode
};

using Runner =
    std::function<harness::RunResult(const harness::Scenario&, const harness::RunOptions&)>;

// The runner of a scenario's mode: real runs, or the simulator (which also
// keeps each run's SimReport, for the history digests in the output).
Runner runner_for(harness::RunMode mode, std::vector<harness::sim::SimReport>& reports) {
    if (mode == harness::RunMode::sim) {
        return [&reports](const harness::Scenario& s, const harness::RunOptions& o) {
            harness::sim::SimResult r = harness::sim::simulate(s, o);
            reports.push_back(std::move(r.sim));
            return std::move(r.run);
        };
    }
    return harness::run_scenario;
}

std::string quote_arg(const std::string& s) {
    if (s.find_first_of(" '\"\\$`!*?;&|<>()") == std::string::npos)
        return s;
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

int sweep(const SweepFlags& f) {
    harness::Scenario base;
    std::vector<harness::VaryAxis> axes;
    std::vector<harness::Setting> grid;
    std::vector<harness::Scenario> scenarios;
    std::vector<harness::sim::SimReport> sim_reports;
    Runner runner;
    try {
        base = harness::load_scenario_file(f.scenario);
        if (f.sim)
            base.mode = harness::RunMode::sim;
        if (base.mode == harness::RunMode::sim && !f.target.empty())
            throw std::invalid_argument("--target: a simulated sweep has no external target");
        for (const auto& v : f.vary)
            axes.push_back(harness::parse_vary(v));
        grid = harness::expand_grid(axes);
        for (const auto& setting : grid) {
            scenarios.push_back(harness::apply_setting(base, setting));
            // The model of every point is checked before the first run.
            if (base.mode == harness::RunMode::sim)
                harness::sim::parse_sim_model(scenarios.back().sim, f.scenario);
        }
        runner = runner_for(base.mode, sim_reports);
    } catch (const std::exception& e) {
        std::cerr << "conflictlab sweep: " << e.what() << "\n";
        return kExitBadInput;
    }
    const std::uint64_t seed = f.seed().value_or(base.seed);
    if (!f.quiet) {
        std::cout << "conflictlab sweep " << base.name << ": seed " << seed << ", " << grid.size()
                  << " run" << (grid.size() == 1 ? "" : "s")
                  << (base.mode == harness::RunMode::sim ? " (simulated)" : "") << "\n"
                  << std::flush;
    }
    std::vector<harness::SweepRow> rows;
    for (std::size_t i = 0; i < grid.size(); ++i) {
        harness::RunOptions options;
        options.seed = seed;
        if (!f.target.empty())
            options.target_url = f.target;
        options.server_threads = f.server_threads;
        options.client_threads = f.client_threads;
        options.scenario_file = f.scenario;
        options.version = CONFLICTLAB_VERSION;
        std::string label;
        for (const auto& [k, v] : grid[i])
            label += (label.empty() ? "" : " ") + k + "=" + v;
        harness::RunResult result;
        try {
            result = runner(scenarios[i], options);
        } catch (const std::exception& e) {
            std::cerr << "conflictlab sweep: " << label << ": " << e.what() << "\n";
            return kExitBadInput;
        }
        // The reproduce line reruns exactly this point.
        std::string cmd =
            "conflictlab sweep " + quote_arg(f.scenario) + " --seed " + std::to_string(seed);
        for (const auto& [k, v] : grid[i])
            cmd += " --vary " + quote_arg(k + "=" + v);
        if (f.sim)
            cmd += " --sim";
        if (!f.target.empty())
            cmd += " --target " + quote_arg(f.target);
        result.reproduce = cmd;
        if (!f.quiet) {
            std::cout << "[" << (i + 1) << "/" << grid.size() << "] " << label << ": "
                      << harness::verdict_line(result);
            if (base.mode == harness::RunMode::sim)
                std::cout << "  history " << sim_reports.back().history_digest;
            std::cout << "\n" << std::flush;
        }
        rows.push_back({grid[i], std::move(result)});
    }
    std::cout << "\n" << harness::render_sweep_table(axes, rows) << std::flush;
    try {
        if (!f.csv_file.empty())
            write_text_file(f.csv_file, harness::render_sweep_csv(axes, rows), "--csv");
        if (!f.json_file.empty()) {
            nlohmann::json j = harness::sweep_json(f.scenario, axes, rows);
            if (base.mode == harness::RunMode::sim) {
                j["mode"] = "sim";
                for (std::size_t i = 0; i < sim_reports.size() && i < j["runs"].size(); ++i)
                    j["runs"][i]["sim"] = harness::sim::to_json(sim_reports[i]);
            }
            write_text_file(f.json_file, j.dump(2) + "\n", "--json");
        }
        if (!f.junit_file.empty()) {
            std::vector<const harness::RunResult*> results;
            for (const auto& row : rows)
                results.push_back(&row.result);
            write_text_file(f.junit_file, harness::render_junit(results), "--junit");
        }
    } catch (const std::exception& e) {
        std::cerr << "conflictlab sweep: " << e.what() << "\n";
        return kExitBadInput;
    }
    for (const auto& row : rows) {
        if (!row.result.passed())
            return kExitGateFailed;
    }
    return kExitOk;
}

}  // namespace

void add_sweep_command(CLI::App& root, int& exit_code) {
    auto flags = std::make_shared<SweepFlags>();
    CLI::App* cmd = root.add_subcommand(
        "sweep", "Run a scenario over a grid of settings (e.g. backoff x writers) and compare");
    cmd->add_option("SCENARIO", flags->scenario, "Scenario file")->required();
    cmd->add_option("--vary", flags->vary,
                    "KEY=V1,V2,...: an axis of the grid (repeatable). Keys: backoff, writers, "
                    "max_attempts, strategy, resources, base_ms, cap_ms, policy.<field>, "
                    "workload.<field>, sim.<field>")
        ->required();
    CLI::Option* seed =
        cmd->add_option("--seed", flags->seed_value, "Seed for every run (default: the scenario's)")
            // CLI11 would wrap "-1" to 2^64-1 for an unsigned value; say no instead.
            ->check(CLI::NonNegativeNumber);
    cmd->add_option("--target", flags->target, "External target base URL instead of embedded");
    cmd->add_option("--server-threads", flags->server_threads, "Embedded server I/O threads")
        ->check(CLI::Range(1, 64));
    cmd->add_option("--client-threads", flags->client_threads, "Client I/O threads")
        ->check(CLI::Range(1, 64));
    cmd->add_option("--csv", flags->csv_file, "Write one CSV row per run to FILE");
    cmd->add_option("--json", flags->json_file, "Write the sweep as JSON to FILE");
    cmd->add_option("--junit", flags->junit_file, "Write JUnit XML (one suite per run) to FILE");
    cmd->add_flag("--quiet,-q", flags->quiet, "Print only the table");
    cmd->add_flag("--sim", flags->sim,
                  "Simulate every run (virtual time, docs/sim.md), whatever the scenario's mode");
    cmd->callback([flags, seed, &exit_code] {
        flags->seed_given = seed->count() > 0;
        exit_code = sweep(*flags);
    });
}

}  // namespace conflictlab::cli
