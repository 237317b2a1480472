#include "conflictlab/harness/sim/simulator.hpp"

#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "conflictlab/common/http_date.hpp"
#include "conflictlab/harness/console.hpp"
#include "conflictlab/harness/sim/history_digest.hpp"
#include "conflictlab/harness/workload.hpp"
#include "result_builder.hpp"
#include "sim_target.hpp"
#include "simulation.hpp"

namespace conflictlab::harness::sim {

namespace {

std::uint64_t peak_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<std::uint64_t>(u.ru_maxrss);  // KiB on Linux
}

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string shell_quote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_./:=,@+") == std::string::npos) {
        return s;
    }
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

}  // namespace

nlohmann::json to_json(const SimReport& r) {
    return {{"history_digest", r.history_digest},
            {"events", r.events},
            {"requests", r.requests},
            {"peak_pending_events", r.peak_pending},
            {"virtual_s", r.virtual_s},
            {"real_s", r.real_s},
            {"events_per_s", r.events_per_s},
            {"client_timeouts", r.client_timeouts},
            {"model", to_json(r.model)}};
}

std::string sim_reproduce_command(const std::string& scenario_file, std::uint64_t seed) {
    return "conflictlab sim " + shell_quote(scenario_file.empty() ? "SCENARIO" : scenario_file) +
           " --seed " + std::to_string(seed);
}

SimResult simulate(const Scenario& scenario, const RunOptions& options) {
    if (scenario.groups.empty())
        throw std::invalid_argument("groups: at least one is required");
    const std::string source = options.scenario_file.empty() ? "scenario" : options.scenario_file;
    SimResult out;
    out.sim.model = parse_sim_model(scenario.sim, source);
    const std::uint64_t seed = options.seed.value_or(scenario.seed);

    RunResult& r = out.run;
    r.version = options.version;
    r.scenario_name = scenario.name;
    r.scenario_file = options.scenario_file;
    r.scenario = scenario.source;
    r.seed = seed;
    r.reproduce = sim_reproduce_command(options.scenario_file, seed);
    r.mode = "sim";
    r.target = "simulated (mock server core in-process, virtual time)";
    r.started_at = format_rfc3339(std::chrono::system_clock::now());
    r.writers = scenario.total_writers();
    r.client_threads = 1;
    r.server_threads = 0;

    // Opened before the run, so an unwritable path costs nothing.
    std::ofstream file;
    if (!options.history_path.empty()) {
        file.open(options.history_path, std::ios::binary | std::ios::trunc);
        if (!file)
            throw std::runtime_error("--history: cannot write " + options.history_path);
    }

    VirtualClock clock;
    detail::SimTarget target(scenario.target, seed, clock);
    const WorkloadModel model(scenario);
    const std::vector<WriterPlan> writers = plan_writers(scenario, seed);

    const nlohmann::json initial = model.initial_body();
    for (int i = 0; i < model.spec().resources && r.errors.empty(); ++i) {
        const std::string error = target.seed(model.resource_id(i), initial);
        if (!error.empty())
            r.errors.push_back(error);
    }
    if (r.errors.empty()) {
        const std::string armed = target.arm();
        if (!armed.empty())
            r.errors.push_back(armed);
    }

    detail::SimulationOutput run;
    if (r.errors.empty()) {
        const double cpu_before = thread_cpu_seconds();
        const auto real_before = std::chrono::steady_clock::now();
        detail::Simulation simulation(scenario, model, writers, target, clock, out.sim.model, seed,
                                      options.progress);
        run = simulation.run();
        out.sim.real_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - real_before).count();
        r.client_load.threads = 1;
        r.client_load.cpu_s = thread_cpu_seconds() - cpu_before;
        if (out.sim.real_s > 0)
            r.client_load.utilization = std::min(1.0, r.client_load.cpu_s / out.sim.real_s);
        for (auto& e : run.errors)
            r.errors.push_back(std::move(e));
    }
    r.wall_s = run.wall_s > 0 ? run.wall_s : 1e-9;
    r.series = std::move(run.series);
    r.max_in_flight = run.max_in_flight;
    out.sim.events = run.events;
    out.sim.requests = run.requests;
    out.sim.peak_pending = run.peak_pending;
    out.sim.virtual_s = run.virtual_s;
    out.sim.client_timeouts = run.client_timeouts;
    out.sim.events_per_s =
        out.sim.real_s > 0 ? static_cast<double>(run.events) / out.sim.real_s : 0.0;

    History history;
    history.kind = scenario.workload.kind;
    history.ops = std::move(run.ops);
    {
        std::set<std::string> ids;
        for (const auto& op : history.ops)
            ids.insert(op.resource_id);
        for (const auto& id : ids)
            history.resources.emplace(id, target.resource(id));
    }
    r.server_stats = target.stats();
    r.alerts_delivered = target.alerts_received();

    // The canonical history: digest always, file when asked for.
    Fnv1a64 digest;
    const auto emit = [&](const std::string& line) {
        digest.update(line);
        if (file.is_open())
            file << line;
    };
    for (const auto& op : history.ops)
        emit(canonical_op_line(op));
    for (const auto& [id, resource] : history.resources)
        emit(canonical_resource_line(resource));
    if (file.is_open()) {
        file.flush();
        if (!file)
            throw std::runtime_error("--history: cannot write " + options.history_path);
    }
    out.sim.history_digest = digest.hex();

    detail::finish_result(r, scenario, history, options.anomaly_limit);
    r.peak_rss_kib = peak_rss_kib();
    return out;
}

RunResult simulate_run(const Scenario& scenario, const RunOptions& options) {
    return simulate(scenario, options).run;
}

nlohmann::json results_json(const SimResult& result) {
    nlohmann::json j = to_json(result.run);
    j["sim"] = to_json(result.sim);
    return j;
}

std::string render_sim_lines(const SimReport& s) {
    std::ostringstream out;
    out << "sim         virtual " << fmt("%.3f", s.virtual_s) << " s   " << s.events
        << " events in " << fmt("%.3f", s.real_s) << " s real (" << fmt("%.0f", s.events_per_s)
        << " events/s)   requests " << s.requests << "   client timeouts " << s.client_timeouts
        << "\n";
    out << "history     " << s.history_digest << "\n";
    return out.str();
}

std::string render_sim_summary(const SimResult& result) {
    return render_summary(result.run) + render_sim_lines(result.sim);
}

}  // namespace conflictlab::harness::sim
