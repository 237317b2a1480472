#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "conflictlab/harness/results.hpp"

namespace conflictlab::harness {

namespace {

constexpr std::size_t kOpIdsPerExpectation = 20;

double round3(double v) {
    return std::round(v * 1000.0) / 1000.0;
}

// Outcome kinds are capitalised in metrics ("outcomes.Failed"), as people
// write them in gates.
std::string capitalised(std::string_view name) {
    std::string s(name);
    if (!s.empty())
        s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

nlohmann::json outcome_counts(const GroupMetrics& m) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [kind, n] : m.outcomes)
        j[capitalised(kind)] = n;
    return j;
}

// The metrics one group (or the run) contributes.
nlohmann::json group_metrics_json(const GroupMetrics& m) {
    nlohmann::json j = to_json(m);
    j["outcomes"] = outcome_counts(m);
    j["success_rate"] =
        m.ops == 0 ? 0.0 : round3(static_cast<double>(m.acknowledged) / static_cast<double>(m.ops));
    j["p50_ms"] = j["latency"]["p50_ms"];
    j["p90_ms"] = j["latency"]["p90_ms"];
    j["p99_ms"] = j["latency"]["p99_ms"];
    j["p999_ms"] = j["latency"]["p999_ms"];
    j["max_ms"] = j["latency"]["max_ms"];
    j["lost_updates"] = m.lost_updates;
    j["phantom_writes"] = m.phantom_writes;
    j["wrong_discards"] = m.wrong_discards;
    j["anomalies"] = m.anomalies;
    j.erase("group");
    return j;
}

bool is_anomaly_metric(const std::string& first) {
    static const std::set<std::string> names = {
        "lost_updates", "phantom_writes", "linearity_violations", "wrong_discards", "anomalies"};
    return names.count(first) != 0;
}

// Anomaly kinds behind an anomaly metric.
std::set<std::string> anomaly_kinds_for(const std::string& metric) {
    if (metric == "lost_updates")
        return {"lost-update"};
    if (metric == "phantom_writes")
        return {"phantom-write"};
    if (metric == "linearity_violations")
        return {"linear-history"};
    if (metric == "wrong_discards")
        return {"wrong-discard"};
    return {};  // anomalies: every kind
}

std::vector<std::string> ops_involved(const Expectation& e, const RunResult& result,
                                      const std::vector<OpRecord>& ops) {
    std::vector<std::string> ids;
    std::vector<std::string> path;
    try {
        path = split_metric_path(e.metric);
    } catch (const std::invalid_argument&) {
        return ids;
    }
    if (path.empty())
        return ids;
    // groups.<name>.<metric>: the same rules inside one group.
    std::string group;
    if (path[0] == "groups" && path.size() >= 3) {
        group = path[1];
        path.erase(path.begin(), path.begin() + 2);
    }
    const auto push = [&ids](const std::string& id) {
        if (ids.size() < kOpIdsPerExpectation &&
            std::find(ids.begin(), ids.end(), id) == ids.end()) {
            ids.push_back(id);
        }
    };
    if (is_anomaly_metric(path[0])) {
        const auto kinds = anomaly_kinds_for(path[0]);
        for (const auto& a : result.check.anomalies) {
            if (!kinds.empty() && kinds.count(a.kind) == 0)
                continue;
            for (const auto& id : a.op_ids)
                push(id);
        }
        return ids;
    }
    // Outcome-like metrics name the ops with that outcome.
    std::optional<engine::OutcomeKind> kind;
    std::optional<std::string> reason;
    if (path[0] == "outcomes" && path.size() >= 2) {
        std::string lower = path[1];
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        kind = engine::parse_outcome_kind(lower);
    } else if (path[0] == "reasons" && path.size() >= 2) {
        kind = engine::OutcomeKind::failed;
        reason = path[1];
    } else if (path[0] == "alerts" || path[0] == "retries_exhausted" || path[0] == "success_rate" ||
               path[0] == "acknowledged") {
        kind = engine::OutcomeKind::failed;
    }
    if (!kind)
        return ids;
    for (const auto& op : ops) {
        if (ids.size() >= kOpIdsPerExpectation)
            break;
        if (!group.empty() && op.group != group)
            continue;
        if (op.outcome.kind != *kind)
            continue;
        if (reason && engine::failure_reason_name(op.outcome.reason) != *reason)
            continue;
        if (path[0] == "alerts" && !op.outcome.alert)
            continue;
        push(op.op_id);
    }
    return ids;
}

// dashboard_json's bounds: whatever the op count, the block stays small.
constexpr std::size_t kDashboardSlotsMax = 240;  // time slots (wider slots on long runs)
constexpr std::size_t kTopResources = 20;        // conflicts per resource: the top
constexpr std::size_t kHeatResources = 8;        // per-second strips: the hottest few
constexpr int kAttemptsMax = 100;                // attempt counts above fold into this one
constexpr std::size_t kStatusesMax = 32;         // distinct statuses; the rest are "other"

double ms_of(engine::Timestamp t) {
    return static_cast<double>(t.count()) / 1e6;
}

}  // namespace

nlohmann::json dashboard_json(const std::vector<OpRecord>& ops) {
    // Latency bucket upper bounds (ms), 1-2-5 steps; one more bucket above.
    static const std::vector<double> kEdgesMs = {0.1, 0.2, 0.5, 1,   2,   5,   10,  20,
                                                 50,  100, 200, 500, 1e3, 2e3, 5e3, 1e4,
                                                 2e4, 5e4, 1e5, 2e5, 5e5, 1e6};
    double end_ms = 0;
    for (const auto& op : ops)
        end_ms = std::max(end_ms, op.completed_ms);
    // The narrowest 1-2-5 slot (from 10 ms) that keeps the slot count bounded:
    // a one-second run still shows its shape, an hour-long one stays small.
    std::uint64_t slot_ms = 10;
    for (int step = 0; step < 60 && end_ms / static_cast<double>(slot_ms) >
                                        static_cast<double>(kDashboardSlotsMax);
         ++step) {
        slot_ms = step % 3 == 1 ? slot_ms * 5 / 2 : slot_ms * 2;
    }
    const double slot_s = static_cast<double>(slot_ms) / 1000.0;
    const auto slots =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(end_ms / 1000.0 / slot_s)));
    const auto slot_of = [&](double t_ms) {
        const double i = std::floor(std::max(0.0, t_ms) / 1000.0 / slot_s);
        return std::min(slots - 1, static_cast<std::size_t>(i));
    };
    std::map<int, std::uint64_t> attempts;
    std::vector<std::uint64_t> latency(kEdgesMs.size() + 1, 0);
    std::map<std::string, std::uint64_t> conflicts;
    std::map<std::string, std::vector<std::uint64_t>> statuses;
    std::uint64_t conflicts_total = 0;
    // Ops finished per slot (completed, acknowledged, Failed) and conflict
    // responses per slot, at the dashboard's resolution.
    std::vector<std::uint64_t> completed(slots, 0), acknowledged(slots, 0), failed(slots, 0),
        conflicted(slots, 0);
    for (const auto& op : ops) {
        const engine::Outcome& o = op.outcome;
        ++attempts[std::clamp(o.attempts, 0, kAttemptsMax)];
        const std::size_t done = slot_of(op.completed_ms);
        ++completed[done];
        if (o.kind == engine::OutcomeKind::success || o.kind == engine::OutcomeKind::resolved)
            ++acknowledged[done];
        if (o.kind == engine::OutcomeKind::failed)
            ++failed[done];
        const double lat_ms = ms_of(o.finished - o.started);
        const auto edge = std::lower_bound(kEdgesMs.begin(), kEdgesMs.end(), lat_ms);
        ++latency[static_cast<std::size_t>(edge - kEdgesMs.begin())];
        if (o.conflicts > 0) {
            conflicts[op.resource_id] += static_cast<std::uint64_t>(o.conflicts);
            conflicts_total += static_cast<std::uint64_t>(o.conflicts);
        }
        for (const auto& step : o.steps) {
            if (step.step == "sleep")
                continue;
            std::string key = std::to_string(step.status);
            if (statuses.count(key) == 0 && statuses.size() >= kStatusesMax)
                key = "other";
            auto& row = statuses[key];
            row.resize(slots, 0);
            const std::size_t at = slot_of(op.invoked_ms + ms_of(step.finished - o.started));
            ++row[at];
            if (step.step == "write" && (step.status == 409 || step.status == 412))
                ++conflicted[at];
        }
    }
    std::vector<std::pair<std::string, std::uint64_t>> ranked(conflicts.begin(), conflicts.end());
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    nlohmann::json top = nlohmann::json::array();
    for (std::size_t i = 0; i < ranked.size() && i < kTopResources; ++i)
        top.push_back({{"id", ranked[i].first}, {"conflicts", ranked[i].second}});
    // Conflict responses (409/412 to a write) per slot on the hottest resources.
    std::map<std::string, std::vector<std::uint64_t>> heat;
    for (std::size_t i = 0; i < ranked.size() && i < kHeatResources; ++i)
        heat[ranked[i].first].assign(slots, 0);
    for (const auto& op : ops) {
        auto it = heat.find(op.resource_id);
        if (it == heat.end())
            continue;
        for (const auto& step : op.outcome.steps) {
            if (step.step == "write" && (step.status == 409 || step.status == 412))
                ++it->second[slot_of(op.invoked_ms + ms_of(step.finished - op.outcome.started))];
        }
    }
    nlohmann::json heat_rows = nlohmann::json::array();
    for (std::size_t i = 0; i < ranked.size() && i < kHeatResources; ++i)
        heat_rows.push_back({{"id", ranked[i].first}, {"conflicts", heat[ranked[i].first]}});
    nlohmann::json attempts_rows = nlohmann::json::array();
    for (const auto& [n, count] : attempts)
        attempts_rows.push_back({{"attempts", n}, {"ops", count}});
    nlohmann::json status_rows = nlohmann::json::object();
    for (auto& [key, row] : statuses) {
        row.resize(slots, 0);
        status_rows[key] = row;
    }
    return {{"slot_s", slot_s},
            {"slots", slots},
            {"attempts_histogram", attempts_rows},
            {"latency_histogram", {{"le_ms", kEdgesMs}, {"ops", latency}}},
            {"conflicts_by_resource",
             {{"total", conflicts_total}, {"resources", conflicts.size()}, {"top", top}}},
            {"conflict_heat", heat_rows},
            {"ops_per_slot",
             {{"completed", completed},
              {"acknowledged", acknowledged},
              {"failed", failed},
              {"conflicts", conflicted}}},
            {"status_per_slot", status_rows}};
}

nlohmann::json to_json(const OpRef& op) {
    return {{"op_id", op.op_id},     {"writer_id", op.writer_id},
            {"group", op.group},     {"resource_id", op.resource_id},
            {"outcome", op.outcome}, {"path", op.path},
            {"reason", op.reason},   {"detail", op.detail}};
}

bool RunResult::checker_passed() const {
    return check.clean() || anomalies_expected;
}

bool RunResult::passed() const {
    if (!errors.empty() || !checker_passed())
        return false;
    return std::all_of(expectations.begin(), expectations.end(),
                       [](const ExpectationReport& e) { return e.result.passed; });
}

nlohmann::json metrics_json(const RunResult& r) {
    nlohmann::json m = group_metrics_json(r.total);
    m["alerts_delivered"] = r.alerts_delivered;
    m["duration_s"] = round3(r.wall_s);
    m["writers"] = r.writers;
    m["lost_updates"] = r.check.lost_updates;
    m["phantom_writes"] = r.check.phantom_writes;
    m["linearity_violations"] = r.check.linearity_violations;
    m["wrong_discards"] = r.check.wrong_discards;
    m["indeterminate"] = r.check.indeterminate;
    m["anomalies"] = r.check.anomalies_total;
    m["max_in_flight"] = r.max_in_flight;
    nlohmann::json checker = to_json(r.check);
    checker.erase("anomalies");  // the list lives in the results file, not in gates
    checker["clean"] = r.check.clean();
    checker["passed"] = r.checker_passed();
    m["checker"] = checker;
    nlohmann::json server = nlohmann::json::object();
    server["status"] = nlohmann::json::object();
    server["faults_fired"] = 0;
    server["fault_firings"] = nlohmann::json::object();
    // The core's /_admin/stats: {"requests": {"total", "by_method",
    // "by_status"}, "conflicts": {...}, "fault_firings": {rule: n}, ...}.
    const nlohmann::json& stats = r.server_stats;
    if (stats.is_object()) {
        const nlohmann::json requests = stats.value("requests", nlohmann::json::object());
        if (requests.is_object()) {
            server["requests"] = requests.value("total", std::uint64_t{0});
            server["status"] = requests.value("by_status", nlohmann::json::object());
        }
        const nlohmann::json firings = stats.value("fault_firings", nlohmann::json::object());
        if (firings.is_object()) {
            std::uint64_t fired = 0;
            for (const auto& [rule, n] : firings.items()) {
                // Unsigned when parsed from the server, signed when built in code.
                if (n.is_number_integer() && n.get<std::int64_t>() > 0)
                    fired += n.get<std::uint64_t>();
            }
            server["faults_fired"] = fired;
            server["fault_firings"] = firings;
        }
        if (auto it = stats.find("conflicts"); it != stats.end())
            server["conflicts"] = *it;
    }
    m["server"] = server;
    nlohmann::json groups = nlohmann::json::object();
    for (const auto& g : r.groups)
        groups[g.group] = group_metrics_json(g);
    m["groups"] = groups;
    return m;
}

nlohmann::json to_json(const RunResult& r) {
    nlohmann::json expectations = nlohmann::json::array();
    for (const auto& e : r.expectations) {
        nlohmann::json j = to_json(e.result);
        j["op_ids"] = e.op_ids;
        expectations.push_back(std::move(j));
    }
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& op : r.failed_ops)
        failed.push_back(to_json(op));
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : r.groups)
        groups.push_back(to_json(g));
    const auto load = [&r](const SideLoad& s) {
        return nlohmann::json{{"cpu_s", round3(s.cpu_s)},
                              {"threads", s.threads},
                              {"utilization", round3(s.utilization)}};
    };
    nlohmann::json check = to_json(r.check);
    check["passed"] = r.checker_passed();
    check["anomalies_expected"] = r.anomalies_expected;
    return {
        {"format", "conflictlab-results/1"},
        {"version", r.version},
        {"scenario_name", r.scenario_name},
        {"scenario_file", r.scenario_file},
        {"scenario", r.scenario},
        {"seed", r.seed},
        {"reproduce", r.reproduce},
        {"mode", r.mode},
        {"target", r.target},
        {"started_at", r.started_at},
        {"passed", r.passed()},
        {"errors", r.errors},
        {"metrics", metrics_json(r)},
        {"groups", groups},
        {"time_series", to_json(r.series)},
        {"load",
         {{"client", load(r.client_load)},
          {"server", load(r.server_load)},
          {"max_in_flight", r.max_in_flight},
          {"peak_rss_kib", r.peak_rss_kib},
          {"writers", r.writers},
          {"client_threads", r.client_threads},
          {"server_threads", r.server_threads},
          {"history_ops", r.history_ops}}},
        {"server_stats", r.server_stats},
        {"checker", check},
        {"failed_ops", failed},
        {"expectations", expectations},
        {"dashboard", r.dashboard},
    };
}

void evaluate_expectations(RunResult& result, const std::vector<std::string>& expect,
                           const std::vector<OpRecord>& ops) {
    result.expectations.clear();
    result.anomalies_expected = false;
    result.dashboard = dashboard_json(ops);
    const nlohmann::json metrics = metrics_json(result);
    for (std::size_t i = 0; i < expect.size(); ++i) {
        ExpectationReport report;
        Expectation e;
        try {
            e = parse_expectation(expect[i]);
        } catch (const std::invalid_argument& error) {
            // The scenario parser validated these already; keep the run honest anyway.
            report.result.text = expect[i];
            report.result.detail = std::string("invalid expectation: ") + error.what();
            result.expectations.push_back(std::move(report));
            continue;
        }
        report.result = evaluate_expectation(e, metrics);
        const std::string first = e.metric.substr(0, e.metric.find_first_of(".["));
        const bool asks_for_some = e.op == ">" || e.op == ">=" || e.op == "!=";
        if (is_anomaly_metric(first) && asks_for_some && report.result.passed) {
            result.anomalies_expected = true;
        }
        report.op_ids = ops_involved(e, result, ops);
        result.expectations.push_back(std::move(report));
    }
}

}  // namespace conflictlab::harness
