// The HTML page of one run, section by section, in the order a reader asks
// questions: did it pass (verdict), what happened to the updates (outcomes),
// where did they fight (conflicts), what did it cost (attempts, latency,
// throughput, statuses), what did we inject (faults), and what did the
// checker find (findings). docs/reports.md explains each chart.
#include <algorithm>

#include "html.hpp"
#include "svg.hpp"
#include "text.hpp"

namespace conflictlab::reports::detail {

namespace {

std::string h2(const char* id, const std::string& title) {
    return "</section>\n<section id=\"" + std::string(id) + "\">\n<h2>" + escape_html(title) +
           "</h2>\n";
}

std::string key_figure(const std::string& value, const std::string& label) {
    return "<div><b>" + escape_html(value) + "</b><span>" + escape_html(label) + "</span></div>";
}

std::string join(const std::vector<std::string>& items, const std::string& sep,
                 std::size_t max_items = SIZE_MAX) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < max_items; ++i)
        out += (i ? sep : "") + items[i];
    if (items.size() > max_items)
        out += sep + "\xE2\x80\xA6 (" + std::to_string(items.size() - max_items) + " more)";
    return out;
}

double sum(const std::vector<Count>& counts) {
    double s = 0;
    for (const auto& c : counts)
        s += c.value;
    return s;
}

std::string status_name(const std::string& code) {
    if (code == "0")
        return "no response (transport error, timeout)";
    return "HTTP " + code;
}

// A time series row as (slot start seconds, value per second) points, summed
// into at most `columns_max` slots.
Series rate_series(const std::string& name, std::vector<double> values, double slot_s,
                   std::size_t columns_max) {
    const std::size_t factor = coarsen(values, columns_max);
    const double width = slot_s * static_cast<double>(factor);
    Series s{name, {}};
    for (std::size_t i = 0; i < values.size(); ++i)
        s.points.emplace_back(width * static_cast<double>(i), values[i] / width);
    return s;
}

std::string header_section(const RunView& r) {
    std::string out = "<section id=\"verdict\">\n";
    out += "<h1>Conflict Lab report: " + escape_html(r.scenario_name) + "</h1>\n";
    if (!r.description.empty())
        out += "<p>" + escape_html(r.description) + "</p>\n";
    out += "<p><span class=\"verdict " + std::string(r.passed ? "pass" : "fail") + "\">" +
           (r.passed ? "\xE2\x9C\x94 PASS" : "\xE2\x9C\x98 FAIL") + "</span></p>\n";
    out +=
        "<nav><a href=\"#outcomes\">Outcomes</a><a href=\"#conflicts\">Conflicts</a>"
        "<a href=\"#attempts\">Attempts</a><a href=\"#latency\">Latency</a>"
        "<a href=\"#throughput\">Throughput</a><a href=\"#faults\">Faults</a>"
        "<a href=\"#findings\">Checker findings</a></nav>\n";
    out += "<h2>Verdict</h2>\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : r.expectations) {
        rows.push_back({e.text, e.passed ? "PASS" : "FAIL", e.measured, e.threshold, e.detail,
                        join(e.op_ids, " ", 10)});
    }
    std::string checker_detail =
        r.checker_clean ? "no anomaly"
                        : format_count(r.anomalies_total) + " anomalies" +
                              (r.anomalies_expected ? " (expected by the scenario)" : "");
    rows.push_back({"checker: no lost updates", r.checker_passed ? "PASS" : "FAIL",
                    format_count(r.anomalies_total) + " anomalies", "0 (unless expected)",
                    checker_detail, ""});
    out += html_table({"expectation", "result", "measured", "threshold", "detail", "ops involved"},
                      rows, {false, false, true, true, false, false});
    if (!r.errors.empty()) {
        out += "<h3>Run errors (each fails the run)</h3>\n<ul>\n";
        for (const auto& e : r.errors)
            out += "<li>" + escape_html(e) + "</li>\n";
        out += "</ul>\n";
    }
    out += "<h3>Reproduce</h3>\n<pre><code>" + escape_html(r.reproduce) + "</code></pre>\n";
    std::vector<std::vector<std::string>> facts = {
        {"scenario file", r.scenario_file},
        {"seed", std::to_string(r.seed)},
        {"conflictlab version", r.version.empty() ? "unknown" : r.version},
        {"mode", r.mode},
        {"target", r.target},
        {"started at", r.started_at},
        {"duration", format_fixed(r.duration_s, 3) + " s"},
        {"writers", format_count(r.writers)},
    };
    if (!r.sim_digest.empty())
        facts.push_back({"history digest (simulated)", r.sim_digest});
    out += html_table({"run", ""}, facts);
    return out;
}

std::string outcomes_section(const RunView& r, const ReportOptions& o) {
    std::string out = h2("outcomes", "Outcomes and resolution paths");
    out += "<div class=\"kv\">";
    out += key_figure(format_count(r.ops), "updates (ops)");
    out += key_figure(format_count(r.acknowledged), "acknowledged (Success + Resolved)");
    out += key_figure(format_fixed(100 * r.success_rate, 1) + " %", "success rate");
    out += key_figure(format_fixed(r.goodput_per_s, 1) + " /s", "goodput");
    out += key_figure(format_fixed(r.calls_per_success, 2), "HTTP calls per success");
    out += key_figure(format_fixed(r.attempts_per_update, 2), "attempts per update");
    out += key_figure(format_count(r.conflicts), "conflict responses");
    out += key_figure(format_fixed(100 * r.conflict_rate, 1) + " %", "conflicts per attempt");
    out += key_figure(format_count(r.alerts), "alerts raised");
    out += "</div>\n";
    const double total = sum(r.outcomes);
    BarChart chart{"Outcomes (ops, share of all)", "ops", "", {}};
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : r.outcomes) {
        chart.bars.push_back({c.name, c.value, format_share(c.value, total)});
        rows.push_back({c.name, format_count(c.value), format_share(c.value, total)});
    }
    out += html_figure(row_chart(chart),
                       "Every update ends in exactly one outcome. Success: first write accepted; "
                       "Resolved: accepted after a conflict or retry; Discarded: deliberately not "
                       "applied; Failed: not applied, alert raised.");
    out += html_table({"outcome", "ops", "share"}, rows, {false, true, true});

    out += "<h3>Resolution paths</h3>\n";
    const double paths_total = sum(r.paths);
    rows.clear();
    for (std::size_t i = 0; i < r.paths.size() && i < o.findings_max; ++i) {
        rows.push_back({r.paths[i].name, format_count(r.paths[i].value),
                        format_share(r.paths[i].value, paths_total)});
    }
    out += rows.empty() ? html_note("No paths recorded.")
                        : html_table({"path", "ops", "share"}, rows, {false, true, true});
    if (r.paths.size() > o.findings_max)
        out +=
            html_note(std::to_string(r.paths.size() - o.findings_max) + " more paths not shown.");

    out += "<h3>Failure reasons</h3>\n";
    rows.clear();
    for (const auto& c : r.reasons)
        rows.push_back({c.name, format_count(c.value), format_share(c.value, r.failed_total)});
    out += rows.empty()
               ? html_note("No update failed.")
               : html_table({"reason", "Failed ops", "share of Failed"}, rows, {false, true, true});
    out += "<h3>Alerts</h3>\n";
    out += html_table({"alerts raised (Failed outcomes asking for one)",
                       "alerts delivered to the "
                       "webhook"},
                      {{format_count(r.alerts), format_count(r.alerts_delivered)}}, {true, true});
    if (!r.failed_ops.empty()) {
        const std::size_t shown = std::min(r.failed_ops.size(), o.failed_ops_max);
        out += "<h3>Failed operations (first " + std::to_string(shown) + " of " +
               format_count(r.failed_total) + ")</h3>\n";
        rows.clear();
        for (std::size_t i = 0; i < shown; ++i) {
            const auto& f = r.failed_ops[i];
            rows.push_back({f.op_id, f.writer_id, f.resource_id, f.reason, f.path, f.detail});
        }
        out += html_table({"op", "writer", "resource", "reason", "path", "detail"}, rows);
    }
    return out;
}

std::string conflicts_section(const RunView& r, const ReportOptions& o) {
    std::string out = h2("conflicts", "Conflict dashboard");
    std::vector<Count> top;
    double total = r.conflicts;
    double resources = 0;
    if (r.dashboard) {
        top = r.dashboard->top_resources;
        total = r.dashboard->conflicts_total;
        resources = r.dashboard->conflicted_resources;
    } else {
        top = r.server_top_resources;  // the server's view, when the client's is absent
    }
    if (top.size() > o.top_resources)
        top.resize(o.top_resources);
    if (total <= 0) {
        out += html_note("No conflicts: no resource was contended.");
        return out;
    }
    if (top.empty()) {
        out += html_note(format_count(total) +
                         " conflicts, but this results file has no per-resource conflict counts "
                         "and no per-resource time series (no dashboard block).");
        return out;
    }
    out += "<h3>Hot spots: conflicts per resource</h3>\n";
    BarChart chart{"Conflicts per resource, top " + std::to_string(top.size()) +
                       " (count \xC2\xB7 share of all conflicts)",
                   "conflict responses (409/412)",
                   "",
                   {}};
    std::vector<std::vector<std::string>> rows;
    double shown = 0;
    for (std::size_t i = 0; i < top.size(); ++i) {
        chart.bars.push_back({top[i].name, top[i].value, format_share(top[i].value, total)});
        rows.push_back({std::to_string(i + 1), top[i].name, format_count(top[i].value),
                        format_share(top[i].value, total)});
        shown += top[i].value;
    }
    out += html_figure(row_chart(chart),
                       "Conflict responses the writers received, by resource. A few resources "
                       "taking most conflicts means hot keys: shard them or serialise their "
                       "writers.");
    out += html_table({"rank", "resource", "conflicts", "share"}, rows, {true, false, true, true});
    if (resources > static_cast<double>(top.size())) {
        out += html_note(format_count(resources - static_cast<double>(top.size())) +
                         " more resources had conflicts (" + format_count(total - shown) +
                         " conflicts, " + format_share(total - shown, total) + ").");
    }
    out += "<h3>Conflicts over time on the hottest resources</h3>\n";
    if (!r.dashboard || r.dashboard->heat.rows.empty()) {
        out += html_note("This results file has no per-resource time series (no dashboard block).");
        return out;
    }
    HeatStrip heat{"Conflict heat strip: conflicts per resource over time",
                   "time since start (s)",
                   "conflicts",
                   r.dashboard->heat.slot_s,
                   {},
                   o.time_columns_max};
    for (std::size_t i = 0; i < r.dashboard->heat.rows.size() && i < o.heat_resources; ++i)
        heat.rows.push_back(r.dashboard->heat.rows[i]);
    out += html_figure(heat_strip(heat),
                       "One strip per hot resource; darker cells hold more conflict responses "
                       "(409/412 to a write) in that time slot, the legend gives each shade's "
                       "range, and the triangle marks the peak slot.");
    return out;
}

std::string attempts_section(const RunView& r) {
    std::string out = h2("attempts", "Attempts per update");
    if (!r.dashboard || r.dashboard->attempts.empty()) {
        out += html_note("Mean attempts per update: " + format_fixed(r.attempts_per_update, 2) +
                         " (this results file has no attempts histogram).");
        return out;
    }
    BarChart chart{"Attempts per update (writes sent per operation)",
                   "attempts (writes sent)",
                   "updates (ops)",
                   {}};
    const auto& rows = r.dashboard->attempts;
    double total = 0;
    for (const auto& [a, ops] : rows)
        total += ops;
    // Every attempt count from the smallest to the largest, empty ones too.
    const int lo = static_cast<int>(rows.front().first);
    const int hi = static_cast<int>(rows.back().first);
    for (int a = lo; a <= hi; ++a) {
        double ops = 0;
        for (const auto& [k, v] : rows) {
            if (static_cast<int>(k) == a)
                ops = v;
        }
        chart.bars.push_back({std::to_string(a), ops, format_share(ops, total)});
    }
    out += html_figure(column_chart(chart),
                       "How many writes each update needed. 1 means no conflict; a long tail "
                       "means contention, and a spike at the attempt limit means retries ran "
                       "out. Mean " +
                           format_fixed(r.attempts_per_update, 2) + ".");
    return out;
}

std::string latency_section(const RunView& r) {
    std::string out = h2("latency", "Latency");
    const LatencyView& l = r.latency;
    out += html_table(
        {"updates", "mean", "p50", "p90", "p99", "p99.9", "max"},
        {{format_count(l.count), format_ms(l.mean_ms) + " ms", format_ms(l.p50_ms) + " ms",
          format_ms(l.p90_ms) + " ms", format_ms(l.p99_ms) + " ms", format_ms(l.p999_ms) + " ms",
          format_ms(l.max_ms) + " ms"}},
        {true, true, true, true, true, true, true});
    out += html_note(
        "Latency of a whole resolution: from the first write to the outcome, "
        "including conflicts, refetches and backoff sleeps.");
    if (!r.dashboard) {
        out += html_note("This results file has no latency histogram.");
        return out;
    }
    const auto& le = r.dashboard->latency_le_ms;
    const auto& ops = r.dashboard->latency_ops;
    // Drop empty buckets at both ends; keep inner ones (gaps mean something).
    std::size_t first = 0, last = ops.size();
    while (first < ops.size() && ops[first] == 0)
        ++first;
    while (last > first && ops[last - 1] == 0)
        --last;
    BarChart chart{"Latency histogram (updates per latency bucket)",
                   "latency bucket, upper bound (ms)",
                   "updates (ops)",
                   {}};
    double total = 0;
    for (double v : ops)
        total += v;
    for (std::size_t i = first; i < last; ++i) {
        const std::string label =
            i < le.size() ? "\xE2\x89\xA4" + format_short(le[i]) : ">" + format_short(le.back());
        chart.bars.push_back({label, ops[i], format_share(ops[i], total)});
    }
    if (chart.bars.empty()) {
        out += html_note("No update completed.");
        return out;
    }
    out += html_figure(column_chart(chart),
                       "Buckets grow in 1-2-5 steps: \xE2\x89\xA4"
                       "10 holds updates that took more than the previous bound and at most "
                       "10 ms. Two humps usually mean a fast path and a retry path.");
    return out;
}

std::string throughput_section(const RunView& r, const ReportOptions& o) {
    std::string out = h2("throughput", "Goodput and server status codes over the run");
    // The dashboard's slots (10 ms and up) show short runs; the per-second
    // time series is the fallback for files without a dashboard.
    const SeriesView* series = r.dashboard ? &r.dashboard->ops : r.series ? &*r.series : nullptr;
    if (series && !series->rows.empty()) {
        LineChart chart{"Goodput and completions per second",
                        "time since start (s)",
                        "operations per second",
                        {},
                        {}};
        static const std::vector<std::pair<std::string, std::string>> kNames = {
            {"acknowledged", "goodput (acknowledged/s)"},
            {"completed", "completed/s (any outcome)"},
            {"failed", "Failed/s"},
            {"conflicts", "conflict responses/s"}};
        for (const auto& [key, label] : kNames) {
            for (const auto& [name, values] : series->rows) {
                if (name == key)
                    chart.series.push_back(
                        rate_series(label, values, series->slot_s, o.time_columns_max));
            }
        }
        out += html_figure(line_chart(chart),
                           "Rates per second of the run: operations by the time they finished, "
                           "conflict responses by the time they arrived. Goodput below "
                           "completions means updates were Discarded or Failed.");
    } else {
        out += html_note("This results file has no time series.");
    }
    if (r.dashboard && !r.dashboard->statuses.rows.empty()) {
        LineChart chart{"Server responses per second, by status code",
                        "time since start (s)",
                        "responses per second",
                        {},
                        {}};
        for (const auto& [code, values] : r.dashboard->statuses.rows) {
            chart.series.push_back(rate_series(status_name(code), values,
                                               r.dashboard->statuses.slot_s, o.time_columns_max));
        }
        out += html_figure(line_chart(chart),
                           "Every response the engine received (writes, refetches, "
                           "verifications), by the time it arrived. 409/412 are conflicts; "
                           "429/5xx are throttling and faults.");
    }
    if (!r.statuses.empty()) {
        const double total = sum(r.statuses);
        std::vector<std::vector<std::string>> rows;
        for (const auto& c : r.statuses)
            rows.push_back({c.name, format_count(c.value), format_share(c.value, total)});
        out += "<h3>Status codes the server sent (whole run)</h3>\n";
        out += html_table({"status", "responses", "share"}, rows, {false, true, true});
    }
    if (r.groups.size() > 1) {
        out += "<h3>Writer groups</h3>\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& g : r.groups) {
            rows.push_back({g.name, format_count(g.ops),
                            format_fixed(100 * g.success_rate, 1) + " %",
                            format_fixed(g.goodput_per_s, 1), format_fixed(g.calls_per_success, 2),
                            format_fixed(g.attempts_per_update, 2), format_ms(g.p99_ms),
                            format_count(g.failed)});
        }
        out += html_table({"group", "ops", "success rate", "goodput /s", "calls/success",
                           "attempts/update", "p99 ms", "Failed"},
                          rows, {false, true, true, true, true, true, true, true});
    }
    return out;
}

std::string faults_section(const RunView& r) {
    std::string out = h2("faults", "Fault firings per rule");
    if (r.fault_firings.empty() || r.faults_fired <= 0) {
        out += html_note("No fault rule fired in this run.");
        return out;
    }
    BarChart chart{
        "Fault firings per rule (count \xC2\xB7 share of all firings)", "firings", "", {}};
    std::vector<std::vector<std::string>> rows;
    const double total = sum(r.fault_firings);
    for (const auto& c : r.fault_firings) {
        chart.bars.push_back({c.name, c.value, format_share(c.value, total)});
        rows.push_back({c.name, format_count(c.value), format_share(c.value, total)});
    }
    out += html_figure(row_chart(chart),
                       "How often each injected fault rule of the mock server fired.");
    out += html_table({"rule", "firings", "share"}, rows, {false, true, true});
    return out;
}

std::string findings_section(const RunView& r, const ReportOptions& o) {
    std::string out = h2("findings", "Checker findings");
    std::vector<std::vector<std::string>> counts;
    for (const auto& c : r.checker_counts)
        counts.push_back({c.name, format_count(c.value)});
    counts.push_back({"anomalies (all kinds)", format_count(r.anomalies_total)});
    out += html_table({"check", "count"}, counts, {false, true});
    if (r.anomalies.empty()) {
        out += html_note(r.checker_clean ? "The checker found no anomaly: no acknowledged update "
                                           "was lost."
                                         : "The results file lists no anomaly details.");
        return out;
    }
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < r.anomalies.size() && i < o.findings_max; ++i) {
        const auto& a = r.anomalies[i];
        rows.push_back({a.kind, a.resource_id, join(a.op_ids, " ", 10),
                        join(a.versions, " \xE2\x86\x92 "), a.detail});
    }
    out += html_table({"kind", "resource", "operations", "versions", "detail"}, rows);
    if (r.anomalies_total > static_cast<double>(rows.size())) {
        out += html_note(format_count(r.anomalies_total - static_cast<double>(rows.size())) +
                         " more anomalies are not listed (see the results file).");
    }
    return out;
}

}  // namespace

std::string render_run_html(const RunView& r, const ReportOptions& o) {
    std::string body = header_section(r);
    body += outcomes_section(r, o);
    body += conflicts_section(r, o);
    body += attempts_section(r);
    body += latency_section(r);
    body += throughput_section(r, o);
    body += faults_section(r);
    body += findings_section(r, o);
    body += "</section>\n";
    return html_page(
        "Conflict Lab: " + r.scenario_name + " \xE2\x80\x94 " + (r.passed ? "PASS" : "FAIL"), body);
}

}  // namespace conflictlab::reports::detail
