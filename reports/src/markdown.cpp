// The Markdown summary: one screen for a CI job summary page. Tables only,
// every string escaped (no raw HTML survives), numbers as in the HTML.
#include <algorithm>

#include "markdown.hpp"
#include "text.hpp"

namespace conflictlab::reports::detail {

namespace {

std::string md_table(const std::vector<std::string>& header,
                     const std::vector<std::vector<std::string>>& rows,
                     const std::vector<bool>& numeric = {}) {
    std::string out = "|";
    for (const auto& h : header)
        out += " " + escape_markdown(h) + " |";
    out += "\n|";
    for (std::size_t i = 0; i < header.size(); ++i)
        out += (i < numeric.size() && numeric[i]) ? " ---: |" : " --- |";
    out += "\n";
    for (const auto& row : rows) {
        out += "|";
        for (const auto& cell : row)
            out += " " + escape_markdown(cell) + " |";
        out += "\n";
    }
    return out + "\n";
}

// A fenced block whose fence is longer than any backtick run inside.
std::string md_code(const std::string& text) {
    std::size_t longest = 0, run = 0;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
    std::string clean;
    for (char c : text)
        clean += (c == '\n' || c == '\r') ? ' ' : c;
    return fence + "sh\n" + clean + "\n" + fence + "\n\n";
}

std::string verdict_word(bool passed) {
    return passed ? "PASS" : "FAIL";
}

}  // namespace

std::string render_run_markdown(const RunView& r, const ReportOptions& o) {
    std::string out = "## Conflict Lab: " + escape_markdown(r.scenario_name) + " \xE2\x80\x94 **" +
                      verdict_word(r.passed) + "**\n\n";
    out += escape_markdown(format_count(r.ops) + " updates, success rate " +
                           format_fixed(100 * r.success_rate, 1) + " %, goodput " +
                           format_fixed(r.goodput_per_s, 1) + "/s, " +
                           format_fixed(r.calls_per_success, 2) + " calls per success, p99 " +
                           format_ms(r.latency.p99_ms) + " ms, " + format_count(r.conflicts) +
                           " conflicts; seed " + std::to_string(r.seed) + ", conflictlab " +
                           (r.version.empty() ? "unknown" : r.version)) +
           "\n\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : r.expectations)
        rows.push_back({e.text, verdict_word(e.passed), e.measured, e.threshold});
    rows.push_back({"checker: no lost updates", verdict_word(r.checker_passed),
                    format_count(r.anomalies_total) + " anomalies", "0 (unless expected)"});
    out += md_table({"expectation", "result", "measured", "threshold"}, rows,
                    {false, false, true, true});
    for (const auto& e : r.errors)
        out += "- run error: " + escape_markdown(e) + "\n";
    if (!r.errors.empty())
        out += "\n";
    out += "Reproduce:\n\n" + md_code(r.reproduce);

    out += "### Outcomes\n\n";
    double total = 0;
    for (const auto& c : r.outcomes)
        total += c.value;
    rows.clear();
    for (const auto& c : r.outcomes)
        rows.push_back({c.name, format_count(c.value), format_share(c.value, total)});
    out += md_table({"outcome", "ops", "share"}, rows, {false, true, true});
    if (!r.reasons.empty()) {
        rows.clear();
        for (const auto& c : r.reasons)
            rows.push_back({c.name, format_count(c.value)});
        out += md_table({"failure reason", "Failed ops"}, rows, {false, true});
    }
    std::vector<Count> top = r.dashboard ? r.dashboard->top_resources : r.server_top_resources;
    const double conflicts_total = r.dashboard ? r.dashboard->conflicts_total : r.conflicts;
    const std::size_t hot = std::min<std::size_t>(5, o.top_resources);
    if (!top.empty() && conflicts_total > 0) {
        out += "### Hot resources\n\n";
        rows.clear();
        for (std::size_t i = 0; i < top.size() && i < hot; ++i) {
            rows.push_back({top[i].name, format_count(top[i].value),
                            format_share(top[i].value, conflicts_total)});
        }
        out += md_table({"resource", "conflicts", "share"}, rows, {false, true, true});
    }
    out += "### Latency\n\n";
    const LatencyView& l = r.latency;
    out += md_table({"p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"},
                    {{format_ms(l.p50_ms), format_ms(l.p90_ms), format_ms(l.p99_ms),
                      format_ms(l.p999_ms), format_ms(l.max_ms)}},
                    {true, true, true, true, true});
    if (!r.anomalies.empty()) {
        out += "### Checker findings\n\n";
        rows.clear();
        const std::size_t shown = std::min<std::size_t>(10, o.findings_max);
        for (std::size_t i = 0; i < r.anomalies.size() && i < shown; ++i) {
            const auto& a = r.anomalies[i];
            std::string ops, versions;
            for (const auto& id : a.op_ids)
                ops += (ops.empty() ? "" : " ") + id;
            for (const auto& v : a.versions)
                versions += (versions.empty() ? "" : " \xE2\x86\x92 ") + v;
            rows.push_back({a.kind, a.resource_id, ops, versions});
        }
        out += md_table({"kind", "resource", "operations", "versions"}, rows);
        if (r.anomalies_total > static_cast<double>(rows.size())) {
            out +=
                escape_markdown(format_count(r.anomalies_total - static_cast<double>(rows.size())) +
                                " more anomalies in the results file.") +
                "\n\n";
        }
    }
    return out;
}

std::string render_sweep_markdown(const SweepView& s, const ReportOptions& o) {
    (void)o;
    std::size_t failed = 0;
    for (const auto& r : s.runs)
        failed += r.passed ? 0 : 1;
    std::string out =
        "## Conflict Lab sweep: " + escape_markdown(s.scenario_file) + " \xE2\x80\x94 **" +
        verdict_word(s.passed) + "**\n\n" +
        escape_markdown(std::to_string(s.runs.size()) + " runs, " + std::to_string(failed) +
                        " failed" + (s.mode == "sim" ? ", simulated" : "")) +
        "\n\n";
    std::vector<std::string> header;
    std::vector<bool> numeric;
    for (const auto& [key, values] : s.axes) {
        (void)values;
        header.push_back(key);
        numeric.push_back(false);
    }
    for (const char* h : {"goodput /s", "calls/success", "p99 ms", "Failed", "lost"}) {
        header.push_back(h);
        numeric.push_back(true);
    }
    header.push_back("verdict");
    numeric.push_back(false);
    std::vector<std::vector<std::string>> rows;
    for (const auto& run : s.runs) {
        std::vector<std::string> row;
        for (const auto& [key, value] : run.setting) {
            (void)key;
            row.push_back(value);
        }
        row.push_back(format_fixed(run.goodput_per_s, 1));
        row.push_back(format_fixed(run.calls_per_success, 2));
        row.push_back(format_ms(run.p99_ms));
        row.push_back(format_count(run.failed));
        row.push_back(format_count(run.lost_updates));
        row.push_back(verdict_word(run.passed));
        rows.push_back(std::move(row));
    }
    return out + md_table(header, rows, numeric);
}

}  // namespace conflictlab::reports::detail
