// Reading a results file into the report's views. Required fields are the
// ones every results file written by conflictlab 0.1 has; blocks added later
// (dashboard) or absent on some runs (time_series, server_stats, sim) are
// optional, and the sections that need them say so when they are missing.
#include "model.hpp"

#include <algorithm>

#include "conflictlab/reports/report.hpp"
#include "node.hpp"

namespace conflictlab::reports::detail {

namespace {

std::vector<Count> counts_of(const Node& object) {
    std::vector<Count> out;
    for (const auto& [name, value] : object.members())
        out.push_back({name, value.number()});
    return out;
}

// Largest first, then by name: the order every ranking uses.
void rank(std::vector<Count>& counts) {
    std::stable_sort(counts.begin(), counts.end(),
                     [](const Count& a, const Count& b) { return a.value > b.value; });
}

std::vector<std::string> strings_of(const Node& array) {
    std::vector<std::string> out;
    for (const auto& e : array.elements())
        out.push_back(e.text());
    return out;
}

std::vector<double> numbers_of(const Node& array) {
    std::vector<double> out;
    for (const auto& e : array.elements())
        out.push_back(e.number());
    return out;
}

LatencyView read_latency(const Node& n) {
    LatencyView l;
    l.count = n.number_or("count", 0);
    l.mean_ms = n.number_or("mean_ms", 0);
    l.p50_ms = n.at("p50_ms").number();
    l.p90_ms = n.number_or("p90_ms", 0);
    l.p99_ms = n.at("p99_ms").number();
    l.p999_ms = n.number_or("p999_ms", 0);
    l.max_ms = n.at("max_ms").number();
    return l;
}

SeriesView read_series(const Node& ts) {
    SeriesView s;
    s.slot_s = ts.number_or("slot_s", 1);
    for (const char* name : {"completed", "acknowledged", "failed", "conflicts"}) {
        if (auto row = ts.find(name))
            s.rows.emplace_back(name, numbers_of(*row));
    }
    return s;
}

SeriesView read_named_rows(const Node& rows, double slot_s, const char* id_key,
                           const char* values_key) {
    SeriesView s;
    s.slot_s = slot_s;
    for (const auto& row : rows.elements())
        s.rows.emplace_back(row.at(id_key).text(), numbers_of(row.at(values_key)));
    return s;
}

DashboardView read_dashboard(const Node& d) {
    DashboardView v;
    const double slot_s = d.at("slot_s").number();
    if (slot_s <= 0)
        throw ReportError(d.at("slot_s").pointer() + ": must be positive");
    for (const auto& row : d.at("attempts_histogram").elements())
        v.attempts.emplace_back(row.at("attempts").number(), row.at("ops").number());
    const Node latency = d.at("latency_histogram");
    v.latency_le_ms = numbers_of(latency.at("le_ms"));
    v.latency_ops = numbers_of(latency.at("ops"));
    if (v.latency_ops.size() != v.latency_le_ms.size() + 1) {
        throw ReportError(latency.at("ops").pointer() +
                          ": expected one more bucket than le_ms (the overflow bucket)");
    }
    const Node by_resource = d.at("conflicts_by_resource");
    v.conflicts_total = by_resource.at("total").number();
    v.conflicted_resources = by_resource.at("resources").number();
    for (const auto& row : by_resource.at("top").elements())
        v.top_resources.push_back({row.at("id").text(), row.at("conflicts").number()});
    v.heat = read_named_rows(d.at("conflict_heat"), slot_s, "id", "conflicts");
    v.statuses.slot_s = slot_s;
    v.ops.slot_s = slot_s;
    const Node per_slot = d.at("ops_per_slot");
    for (const char* name : {"completed", "acknowledged", "failed", "conflicts"})
        v.ops.rows.emplace_back(name, numbers_of(per_slot.at(name)));
    for (const auto& [status, row] : d.at("status_per_slot").members())
        v.statuses.rows.emplace_back(status, numbers_of(row));
    return v;
}

GroupView read_group(const Node& g) {
    GroupView v;
    v.name = g.at("group").text();
    v.ops = g.at("ops").number();
    v.success_rate =
        v.ops > 0 ? g.number_or("acknowledged", 0) / v.ops : g.number_or("success_rate", 0);
    v.goodput_per_s = g.number_or("goodput_per_s", 0);
    v.calls_per_success = g.number_or("calls_per_success", 0);
    v.attempts_per_update = g.number_or("attempts_per_update", 0);
    if (auto latency = g.find("latency"))
        v.p99_ms = latency->number_or("p99_ms", 0);
    if (auto outcomes = g.find("outcomes"))
        v.failed = outcomes->number_or("failed", outcomes->number_or("Failed", 0));
    return v;
}

}  // namespace

RunView read_run(const nlohmann::json& j) {
    const Node root(j, "");
    RunView r;
    r.scenario_name = root.at("scenario_name").text();
    r.scenario_file = root.string_or("scenario_file", "");
    r.version = root.string_or("version", "");
    r.started_at = root.string_or("started_at", "");
    r.mode = root.string_or("mode", "");
    r.target = root.string_or("target", "");
    r.reproduce = root.at("reproduce").string();
    r.seed = root.at("seed").unsigned_integer();
    r.passed = root.at("passed").boolean();
    if (auto scenario = root.find("scenario"); scenario && scenario->json().is_object())
        r.description = scenario->string_or("description", "");
    if (auto errors = root.find("errors"))
        r.errors = strings_of(*errors);
    for (const auto& e : root.at("expectations").elements()) {
        ExpectationView v;
        v.text = e.at("text").text();
        v.passed = e.at("passed").boolean();
        v.measured = e.find("measured") ? e.at("measured").text() : "unknown";
        v.threshold = e.find("threshold") ? e.at("threshold").text() : "";
        v.detail = e.string_or("detail", "");
        if (auto ids = e.find("op_ids"))
            v.op_ids = strings_of(*ids);
        r.expectations.push_back(std::move(v));
    }

    const Node m = root.at("metrics");
    r.ops = m.at("ops").number();
    r.acknowledged = m.at("acknowledged").number();
    r.success_rate = m.at("success_rate").number();
    r.goodput_per_s = m.at("goodput_per_s").number();
    r.calls_per_success = m.at("calls_per_success").number();
    r.attempts_per_update = m.at("attempts_per_update").number();
    r.attempts = m.number_or("attempts", 0);
    r.conflicts = m.at("conflicts").number();
    r.conflict_rate = m.number_or("conflict_rate", 0);
    r.http_calls = m.number_or("http_calls", 0);
    r.duration_s = m.number_or("duration_s", 0);
    r.writers = m.number_or("writers", 0);
    r.alerts = m.number_or("alerts", 0);
    r.alerts_delivered = m.number_or("alerts_delivered", 0);
    r.retries_exhausted = m.number_or("retries_exhausted", 0);
    r.outcomes = counts_of(m.at("outcomes"));
    // Outcomes in the order of the flow, not alphabetical.
    static const std::vector<std::string> kOrder = {"Success", "Resolved", "Discarded", "Failed"};
    std::stable_sort(r.outcomes.begin(), r.outcomes.end(), [](const Count& a, const Count& b) {
        const auto pos = [](const std::string& n) {
            return std::find(kOrder.begin(), kOrder.end(), n) - kOrder.begin();
        };
        return pos(a.name) < pos(b.name);
    });
    for (const auto& o : r.outcomes) {
        if (o.name == "Failed")
            r.failed_total = o.value;
    }
    if (auto paths = m.find("paths"))
        r.paths = counts_of(*paths);
    rank(r.paths);
    if (auto reasons = m.find("reasons"))
        r.reasons = counts_of(*reasons);
    rank(r.reasons);
    r.latency = read_latency(m.at("latency"));
    if (auto server = m.find("server")) {
        if (auto status = server->find("status"))
            r.statuses = counts_of(*status);
        if (auto firings = server->find("fault_firings"))
            r.fault_firings = counts_of(*firings);
        rank(r.fault_firings);
        r.faults_fired = server->number_or("faults_fired", 0);
        if (auto conflicts = server->find("conflicts")) {
            if (auto top = conflicts->find("top_resources")) {
                for (const auto& row : top->elements())
                    r.server_top_resources.push_back(
                        {row.at("id").text(), row.at("conflicts").number()});
            }
        }
    }

    const Node checker = root.at("checker");
    r.checker_passed = checker.at("passed").boolean();
    r.checker_clean = checker.find("clean") ? checker.at("clean").boolean() : r.checker_passed;
    if (auto expected = checker.find("anomalies_expected"))
        r.anomalies_expected = expected->boolean();
    for (const char* name : {"lost_updates", "phantom_writes", "linearity_violations",
                             "wrong_discards", "indeterminate"}) {
        r.checker_counts.push_back({name, checker.number_or(name, 0)});
    }
    r.anomalies_total = checker.number_or("anomalies_total", 0);
    if (auto anomalies = checker.find("anomalies")) {
        for (const auto& a : anomalies->elements()) {
            AnomalyView v;
            v.kind = a.at("kind").text();
            v.resource_id = a.string_or("resource_id", "");
            if (auto ids = a.find("op_ids"))
                v.op_ids = strings_of(*ids);
            if (auto versions = a.find("versions"))
                v.versions = strings_of(*versions);
            v.detail = a.string_or("detail", "");
            r.anomalies.push_back(std::move(v));
        }
    }
    r.anomalies_total = std::max(r.anomalies_total, static_cast<double>(r.anomalies.size()));

    if (auto failed = root.find("failed_ops")) {
        for (const auto& f : failed->elements()) {
            r.failed_ops.push_back({f.at("op_id").text(), f.string_or("writer_id", ""),
                                    f.string_or("group", ""), f.string_or("resource_id", ""),
                                    f.string_or("path", ""), f.string_or("reason", ""),
                                    f.string_or("detail", "")});
        }
    }
    if (auto groups = root.find("groups")) {
        for (const auto& g : groups->elements())
            r.groups.push_back(read_group(g));
    }
    if (auto ts = root.find("time_series"))
        r.series = read_series(*ts);
    if (auto d = root.find("dashboard"))
        r.dashboard = read_dashboard(*d);
    if (auto sim = root.find("sim"); sim && sim->json().is_object())
        r.sim_digest = sim->string_or("history_digest", "");
    return r;
}

SweepView read_sweep(const nlohmann::json& j) {
    const Node root(j, "");
    SweepView s;
    s.scenario_file = root.string_or("scenario_file", "");
    s.mode = root.string_or("mode", "real");
    for (const auto& axis : root.at("axes").elements())
        s.axes.emplace_back(axis.at("key").string(), strings_of(axis.at("values")));
    for (const auto& run : root.at("runs").elements()) {
        SweepRunView v;
        const Node setting = run.at("setting");
        for (const auto& [key, values] : s.axes) {
            (void)values;
            v.setting.emplace_back(key, setting.at(key).text());
        }
        v.seed = run.at("seed").unsigned_integer();
        v.passed = run.at("passed").boolean();
        if (auto errors = run.find("errors"))
            v.errors = strings_of(*errors);
        v.reproduce = run.string_or("reproduce", "");
        const Node m = run.at("metrics");
        v.writers = m.number_or("writers", 0);
        v.ops = m.at("ops").number();
        v.goodput_per_s = m.at("goodput_per_s").number();
        v.calls_per_success = m.at("calls_per_success").number();
        v.attempts_per_update = m.number_or("attempts_per_update", 0);
        v.conflict_rate = m.number_or("conflict_rate", 0);
        v.p50_ms = m.number_or("p50_ms", 0);
        v.p99_ms = m.at("p99_ms").number();
        v.max_ms = m.number_or("max_ms", 0);
        if (auto outcomes = m.find("outcomes"))
            v.failed = outcomes->number_or("Failed", 0);
        v.lost_updates = m.number_or("lost_updates", 0);
        s.passed = s.passed && v.passed;
        s.runs.push_back(std::move(v));
    }
    return s;
}

}  // namespace conflictlab::reports::detail
