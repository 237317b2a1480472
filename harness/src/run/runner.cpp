#include "conflictlab/harness/runner.hpp"

#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "conflictlab/common/http_date.hpp"
#include "conflictlab/common/secrets.hpp"
#include "conflictlab/engine/http_target.hpp"
#include "conflictlab/harness/checker.hpp"
#include "conflictlab/harness/workload.hpp"
#include "run_steps.hpp"
#include "target.hpp"
#include "writer_pool.hpp"

namespace conflictlab::harness {

namespace {

using run_detail::Target;

double process_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

double this_thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::uint64_t peak_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<std::uint64_t>(u.ru_maxrss);  // KiB on Linux
}

std::string shell_quote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_./:=,@+") == std::string::npos) {
        return s;
    }
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

std::string load_token(const std::string& spec, const char* field) {
    if (spec.empty())
        return {};
    try {
        return load_secret(spec);
    } catch (const std::exception& e) {
        throw std::invalid_argument(std::string(field) + ": " + e.what());
    }
}

std::unique_ptr<Target> open_target(const Scenario& s, const RunOptions& o, std::uint64_t seed,
                                    int server_threads) {
    if (o.target_url || s.target.kind == TargetKind::external) {
        const std::string url = o.target_url.value_or(s.target.url);
        try {
            engine::parse_http_target(url, o.target_url ? "--target" : "target.url");
        } catch (const std::invalid_argument& e) {
            // The URL is echoed unless it could carry credentials.
            const bool quotable = url.find('@') == std::string::npos && url.size() <= 256;
            throw std::invalid_argument(std::string(e.what()) +
                                        (quotable ? " (got \"" + url + "\")" : std::string()));
        }
        // Read here first so a bad source is reported under its field name.
        load_token(s.target.admin_token, "target.admin_token");
        load_token(s.target.token, "target.token");
        return run_detail::make_external_target(o.target_url.value_or(s.target.url), s.target);
    }
    return run_detail::start_embedded_target(s.target, server_threads, seed,
                                             s.client.max_connections);
}

// Creates every resource, a few at a time from a few threads.
void seed_resources(Target& target, const WorkloadModel& model, std::vector<std::string>& errors) {
    const nlohmann::json body = model.initial_body();
    for (int i = 0; i < model.spec().resources; ++i) {
        const std::string error = target.seed(model.resource_id(i), body);
        if (!error.empty()) {
            errors.push_back(error);
            return;
        }
    }
}

void write_history_file(const std::string& path, const std::vector<OpRecord>& ops) {
    std::ofstream out(path, std::ios::trunc);
    if (!out)
        throw std::runtime_error("--history: cannot write " + path);
    for (const auto& op : ops) {
        nlohmann::json intent = nlohmann::json::object();
        if (!op.intent.element.empty())
            intent["element"] = op.intent.element;
        if (!op.intent.fields.empty())
            intent["fields"] = op.intent.fields;
        if (op.intent.timestamp_ms)
            intent["timestamp_ms"] = *op.intent.timestamp_ms;
        nlohmann::json line = {{"op_id", op.op_id},
                               {"writer_id", op.writer_id},
                               {"group", op.group},
                               {"resource_id", op.resource_id},
                               {"intent", intent},
                               {"invoked_ms", op.invoked_ms},
                               {"completed_ms", op.completed_ms},
                               {"reads", op.reads},
                               {"outcome", engine::to_json(op.outcome)}};
        out << line.dump() << "\n";
    }
}

}  // namespace

std::string reproduce_command(const std::string& scenario_file, std::uint64_t seed,
                              const std::string& extra) {
    std::string cmd = "conflictlab run " +
                      shell_quote(scenario_file.empty() ? "SCENARIO" : scenario_file) + " --seed " +
                      std::to_string(seed);
    if (!extra.empty())
        cmd += " " + extra;
    return cmd;
}

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
    if (scenario.mode == RunMode::sim) {
        throw std::invalid_argument("mode: \"sim\" runs need the simulator (conflictlab sim)");
    }
    if (scenario.groups.empty())
        throw std::invalid_argument("groups: at least one is required");
    const std::uint64_t seed = options.seed.value_or(scenario.seed);
    const int server_threads =
        options.server_threads > 0 ? options.server_threads : scenario.target.server_threads;
    const int client_threads =
        options.client_threads > 0 ? options.client_threads : scenario.client.threads;

    RunResult r;
    r.version = options.version;
    r.scenario_name = scenario.name;
    r.scenario_file = options.scenario_file;
    r.scenario = scenario.source;
    r.seed = seed;
    r.reproduce = reproduce_command(options.scenario_file, seed, options.reproduce_extra);
    r.writers = scenario.total_writers();
    r.client_threads = client_threads;
    r.started_at = format_rfc3339(std::chrono::system_clock::now());

    const WorkloadModel model(scenario);
    const std::vector<WriterPlan> writers = plan_writers(scenario, seed);

    std::unique_ptr<Target> target = open_target(scenario, options, seed, server_threads);
    r.target = target->describe();
    r.server_threads = target->server_threads();

    seed_resources(*target, model, r.errors);
    if (r.errors.empty()) {
        const std::string armed = target->arm();
        if (!armed.empty())
            r.errors.push_back(armed);
    }

    std::vector<OpRecord> ops;
    if (r.errors.empty()) {
        const double cpu_before = process_cpu_seconds();
        const double main_cpu_before = this_thread_cpu_seconds();
        run_detail::WriterPoolOptions pool_options;
        pool_options.client_threads = client_threads;
        pool_options.max_connections = scenario.client.max_connections;
        pool_options.progress = options.progress;
        pool_options.progress_interval_s = options.progress_interval_s;
        run_detail::WriterPool pool(scenario, model, writers, *target, pool_options);
        run_detail::WriterPoolResult pooled = pool.run();
        const double main_cpu = this_thread_cpu_seconds() - main_cpu_before;
        const double total_cpu = process_cpu_seconds() - cpu_before;
        ops = std::move(pooled.ops);
        r.wall_s = pooled.wall_s;
        r.series = std::move(pooled.series);
        r.max_in_flight = pooled.max_in_flight;
        r.client_load.threads = client_threads;
        r.client_load.cpu_s = pooled.client_cpu_s;
        if (r.server_threads > 0) {
            r.server_load.threads = r.server_threads;
            r.server_load.cpu_s = std::max(0.0, total_cpu - pooled.client_cpu_s - main_cpu);
        }
        for (SideLoad* side : {&r.client_load, &r.server_load}) {
            if (side->threads > 0 && r.wall_s > 0) {
                side->utilization = side->cpu_s / (r.wall_s * side->threads);
            }
        }
        for (const auto& e : pooled.errors)
            r.errors.push_back(e);
    }

    // Metrics per group and in total.
    run_detail::add_op_metrics(r, scenario, ops);

    // The server's side: histories of every resource the writers touched.
    History history;
    history.kind = scenario.workload.kind;
    {
        std::set<std::string> ids;
        for (const auto& op : ops)
            ids.insert(op.resource_id);
        for (const auto& id : ids) {
            std::string error;
            auto resource = target->resource(id, error);
            if (!resource) {
                r.errors.push_back("server history: " + error);
                break;
            }
            history.resources.emplace(id, std::move(*resource));
        }
    }
    r.server_stats = target->stats();
    r.alerts_delivered = target->alerts_received();
    target->stop();

    if (!options.history_path.empty())
        write_history_file(options.history_path, ops);

    history.ops = std::move(ops);
    r.peak_rss_kib = peak_rss_kib();
    run_detail::check_and_gate(r, scenario, history, options.anomaly_limit);
    return r;
}

}  // namespace conflictlab::harness
