// `conflictlab sim SCENARIO`: the scenario simulated (docs/sim.md): the same
// engine and mock server core, one thread, virtual time, one seed. Same
// results format, checker, expectations, JUnit and exit codes as `run`, plus
// the simulation's own figures and the history digest.
// Exit codes: 0 every expectation held, 1 one failed (or the checker found an
// unexpected anomaly, or a simulation limit was reached), 2 bad input or
// usage (nothing is run).
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

#include "command.hpp"
#include "conflictlab/harness/console.hpp"
#include "conflictlab/harness/junit.hpp"
#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/harness/sim/simulator.hpp"
#include "usage.hpp"

namespace conflictlab::cli {

namespace {

struct SimFlags {
    std::string scenario;
    std::uint64_t seed_value = 0;
    bool seed_given = false;
    std::string json_file;
    std::string junit_file;
    std::string history_file;
    bool quiet = false;
    bool no_progress = false;
};

int simulate(const SimFlags& f) {
    harness::Scenario scenario;
    try {
        scenario = harness::load_scenario_file(f.scenario);
    } catch (const std::exception& e) {
        std::cerr << "conflictlab sim: " << e.what() << "\n";
        return kExitBadInput;
    }
    harness::RunOptions options;
    if (f.seed_given)
        options.seed = f.seed_value;
    options.scenario_file = f.scenario;
    options.history_path = f.history_file;
    options.version = CONFLICTLAB_VERSION;
    const std::uint64_t seed = options.seed.value_or(scenario.seed);
    if (!f.quiet) {
        std::cout << "conflictlab sim " << scenario.name << ": seed " << seed << " ("
                  << scenario.total_writers() << " writers, virtual time)\n"
                  << std::flush;
    }
    const bool tty = isatty(STDERR_FILENO) == 1;
    harness::Progress progress(stderr, tty, 5.0);
    if (!f.quiet && !f.no_progress)
        options.progress = &progress;

    harness::sim::SimResult result;
    try {
        result = harness::sim::simulate(scenario, options);
    } catch (const harness::ScenarioError& e) {
        std::cerr << "conflictlab sim: " << e.what() << "\n";
        return kExitBadInput;
    } catch (const std::exception& e) {
        std::cerr << "conflictlab sim: " << f.scenario << ": " << e.what() << "\n";
        return kExitBadInput;
    }
    try {
        if (!f.json_file.empty()) {
            write_text_file(f.json_file, harness::sim::results_json(result).dump(2) + "\n",
                            "--json");
        }
        if (!f.junit_file.empty())
            write_text_file(f.junit_file, harness::render_junit(result.run), "--junit");
    } catch (const std::exception& e) {
        std::cerr << "conflictlab sim: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (f.quiet) {
        std::cout << harness::verdict_line(result.run) << "\n"
                  << "history " << result.sim.history_digest << "\n";
        if (!result.run.passed())
            std::cout << "reproduce: " << result.run.reproduce << "\n";
    } else {
        std::cout << harness::sim::render_sim_summary(result);
    }
    std::cout << std::flush;
    return result.run.passed() ? kExitOk : kExitGateFailed;
}

}  // namespace

void add_sim_command(CLI::App& root, int& exit_code) {
    auto flags = std::make_shared<SimFlags>();
    CLI::App* cmd = root.add_subcommand(
        "sim",
        "Simulate a scenario deterministically: the same engine and mock server core in "
        "virtual time (one thread, one seed)");
    cmd->add_option("SCENARIO", flags->scenario,
                    "Scenario file (JSON, comments allowed); any mode, embedded target")
        ->required();
    CLI::Option* seed =
        cmd->add_option("--seed", flags->seed_value,
                        "Seed for everything random (default: the scenario's)")
            // CLI11 would wrap "-1" to 2^64-1 for an unsigned value; say no instead.
            ->check(CLI::NonNegativeNumber);
    cmd->add_option("--json", flags->json_file,
                    "Write the complete results as JSON to FILE (with a \"sim\" object)");
    cmd->add_option("--junit", flags->junit_file, "Write JUnit XML to FILE");
    cmd->add_option("--history", flags->history_file,
                    "Write the canonical history (the bytes the digest covers) to FILE");
    cmd->add_flag("--quiet,-q", flags->quiet, "Print only the verdict and digest lines");
    cmd->add_flag("--no-progress", flags->no_progress, "No progress display");
    cmd->callback([flags, seed, &exit_code] {
        flags->seed_given = seed->count() > 0;
        exit_code = simulate(*flags);
    });
}

}  // namespace conflictlab::cli
