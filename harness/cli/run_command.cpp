// `conflictlab run SCENARIO`: one scenario against the embedded mock server
// (or --target URL), then the summary and the verdict (docs/harness.md).
// Exit codes: 0 every expectation held, 1 one failed (or the checker found
// an unexpected anomaly), 2 bad input or usage (nothing is run).
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
#include "conflictlab/harness/results.hpp"
#include "conflictlab/harness/runner.hpp"
#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/reports/report.hpp"
#include "usage.hpp"

namespace conflictlab::cli {

namespace {

struct RunFlags {
    std::string scenario;
    std::uint64_t seed_value = 0;
    bool seed_given = false;
    std::optional<std::uint64_t> seed() const {
        return seed_given ? std::optional<std::uint64_t>(seed_value) : std::nullopt;
    }
    std::string target;
    std::string ca_file;  // --ca-file: trust this CA for an https target
    bool insecure_skip_verify = false;
    int server_threads = 0;
    int client_threads = 0;
    std::string json_file;
    std::string junit_file;
    std::string history_file;
    std::string html_file;      // --html: the HTML dashboard (docs/reports.md)
    std::string markdown_file;  // --markdown: the Markdown summary
    bool quiet = false;
    bool no_progress = false;
};

int run(const RunFlags& f) {
    harness::Scenario scenario;
    try {
        scenario = harness::load_scenario_file(f.scenario);
    } catch (const std::exception& e) {
        std::cerr << "conflictlab run: " << e.what() << "\n";
        return kExitBadInput;
    }
    harness::RunOptions options;
    options.seed = f.seed();
    if (!f.target.empty()) {
        options.target_url = f.target;
        options.reproduce_extra = "--target " + f.target;
    }
    if (!f.ca_file.empty() || f.insecure_skip_verify) {
        const bool external =
            !f.target.empty() || scenario.target.kind == harness::TargetKind::external;
        const std::string url = !f.target.empty() ? f.target : scenario.target.url;
        if (!external || !url.starts_with("https://")) {
            std::cerr << "conflictlab run: --ca-file and --insecure-skip-verify are only for an "
                         "https:// target (--target or target.url)\n";
            return kExitBadInput;
        }
        if (!f.ca_file.empty()) {
            scenario.target.ca_file = f.ca_file;
            options.reproduce_extra += (options.reproduce_extra.empty() ? "" : " ");
            options.reproduce_extra += "--ca-file " + f.ca_file;
        }
        if (f.insecure_skip_verify) {
            scenario.target.insecure_skip_verify = true;
            options.reproduce_extra += (options.reproduce_extra.empty() ? "" : " ");
            options.reproduce_extra += "--insecure-skip-verify";
        }
    }
    options.server_threads = f.server_threads;
    options.client_threads = f.client_threads;
    options.scenario_file = f.scenario;
    options.history_path = f.history_file;
    options.version = CONFLICTLAB_VERSION;
    const std::uint64_t seed = f.seed().value_or(scenario.seed);
    if (!f.quiet) {
        std::cout << "conflictlab run " << scenario.name << ": seed " << seed << " ("
                  << scenario.total_writers() << " writers)\n"
                  << std::flush;
    }
    const bool tty = isatty(STDERR_FILENO) == 1;
    harness::Progress progress(stderr, tty, 5.0);
    if (!f.quiet && !f.no_progress)
        options.progress = &progress;

    harness::RunResult result;
    try {
        result = harness::run_scenario(scenario, options);
    } catch (const std::exception& e) {
        std::cerr << "conflictlab run: " << f.scenario << ": " << e.what() << "\n";
        return kExitBadInput;
    }
    try {
        if (!f.json_file.empty()) {
            write_text_file(f.json_file, harness::to_json(result).dump(2) + "\n", "--json");
        }
        if (!f.junit_file.empty())
            write_text_file(f.junit_file, harness::render_junit(result), "--junit");
        if (!f.html_file.empty() || !f.markdown_file.empty()) {
            // Rendered from the results JSON, exactly as `conflictlab report` does.
            const nlohmann::json results = harness::to_json(result);
            if (!f.html_file.empty())
                write_text_file(f.html_file, reports::render_html(results), "--html");
            if (!f.markdown_file.empty())
                write_text_file(f.markdown_file, reports::render_markdown(results), "--markdown");
        }
    } catch (const std::exception& e) {
        std::cerr << "conflictlab run: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (f.quiet) {
        std::cout << harness::verdict_line(result) << "\n";
        if (!result.passed())
            std::cout << "reproduce: " << result.reproduce << "\n";
    } else {
        std::cout << harness::render_summary(result);
    }
    std::cout << std::flush;
    return result.passed() ? kExitOk : kExitGateFailed;
}

}  // namespace

void add_run_command(CLI::App& root, int& exit_code) {
    auto flags = std::make_shared<RunFlags>();
    CLI::App* cmd = root.add_subcommand(
        "run", "Run one scenario: concurrent writers through the engine against the mock server");
    cmd->add_option("SCENARIO", flags->scenario, "Scenario file (JSON, comments allowed)")
        ->required();
    CLI::Option* seed =
        cmd->add_option("--seed", flags->seed_value,
                        "Seed for everything random (default: the scenario's)")
            // CLI11 would wrap "-1" to 2^64-1 for an unsigned value; say no instead.
            ->check(CLI::NonNegativeNumber);
    cmd->add_option("--target", flags->target,
                    "External target base URL (http:// or https://HOST:PORT) instead of the "
                    "embedded server");
    cmd->add_option("--ca-file", flags->ca_file,
                    "https target: PEM file of CA certificates to trust (besides the system's)");
    cmd->add_flag("--insecure-skip-verify", flags->insecure_skip_verify,
                  "https target: do not verify its certificate (self-signed test servers only)");
    cmd->add_option("--server-threads", flags->server_threads,
                    "Embedded server I/O threads (default: target.server_threads)")
        ->check(CLI::Range(1, 64));
    cmd->add_option("--client-threads", flags->client_threads,
                    "Client I/O threads (default: client.threads)")
        ->check(CLI::Range(1, 64));
    cmd->add_option("--json", flags->json_file, "Write the complete results as JSON to FILE");
    cmd->add_option("--junit", flags->junit_file, "Write JUnit XML to FILE");
    cmd->add_option("--html", flags->html_file, "Write the HTML report (dashboard) to FILE");
    cmd->add_option("--markdown", flags->markdown_file, "Write the Markdown summary to FILE");
    cmd->add_option("--history", flags->history_file,
                    "Write every operation record as JSON lines to FILE (debugging)");
    cmd->add_flag("--quiet,-q", flags->quiet, "Print only the verdict line");
    cmd->add_flag("--no-progress", flags->no_progress, "No progress display");
    cmd->callback([flags, seed, &exit_code] {
        flags->seed_given = seed->count() > 0;
        exit_code = run(*flags);
    });
}

}  // namespace conflictlab::cli
