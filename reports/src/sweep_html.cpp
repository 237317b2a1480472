// The HTML page of a sweep: goodput, calls per success and p99 against the
// writer count, one line per setting of the other axes (typically the
// backoff), and the table of every run beneath.
#include <algorithm>
#include <cstdlib>
#include <map>

#include "html.hpp"
#include "svg.hpp"
#include "text.hpp"

namespace conflictlab::reports::detail {

namespace {

bool is_number(const std::string& s) {
    if (s.empty())
        return false;
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

// The x axis of the sweep charts: "writers" when varied, else the first
// numeric axis, else the first axis as categories.
struct XAxis {
    std::size_t axis = 0;  // index into SweepView::axes; SIZE_MAX: the runs' writer count
    bool numeric = true;
    std::string label;
};

XAxis pick_x(const SweepView& s) {
    for (std::size_t i = 0; i < s.axes.size(); ++i) {
        if (s.axes[i].first == "writers")
            return {i, true, "writers (concurrent clients)"};
    }
    for (std::size_t i = 0; i < s.axes.size(); ++i) {
        const auto& values = s.axes[i].second;
        if (!values.empty() && std::all_of(values.begin(), values.end(), is_number))
            return {i, true, s.axes[i].first};
    }
    if (s.axes.empty())
        return {SIZE_MAX, true, "writers (concurrent clients)"};
    return {0, false, s.axes[0].first};
}

double metric_of(const SweepRunView& r, int which) {
    switch (which) {
        case 0:
            return r.goodput_per_s;
        case 1:
            return r.calls_per_success;
        default:
            return r.p99_ms;
    }
}

}  // namespace

std::string render_sweep_html(const SweepView& s, const ReportOptions& o) {
    (void)o;
    std::string body = "<section id=\"verdict\">\n";
    body += "<h1>Conflict Lab sweep: " + escape_html(s.scenario_file) + "</h1>\n";
    const std::size_t failed = static_cast<std::size_t>(
        std::count_if(s.runs.begin(), s.runs.end(), [](const auto& r) { return !r.passed; }));
    body += "<p><span class=\"verdict " + std::string(s.passed ? "pass" : "fail") + "\">" +
            (s.passed ? "\xE2\x9C\x94 PASS" : "\xE2\x9C\x98 FAIL") + "</span> " +
            escape_html(std::to_string(s.runs.size()) + " runs, " + std::to_string(failed) +
                        " failed" + (s.mode == "sim" ? ", simulated" : "")) +
            "</p>\n";
    std::vector<std::vector<std::string>> axes;
    for (const auto& [key, values] : s.axes) {
        std::string joined;
        for (const auto& v : values)
            joined += (joined.empty() ? "" : ", ") + v;
        axes.push_back({key, joined});
    }
    body += html_table({"axis", "values"}, axes);

    body += "</section>\n<section id=\"sweep-charts\">\n<h2>Settings compared</h2>\n";
    const XAxis x = pick_x(s);
    // Lines: one per combination of the other axes' values, in run order.
    std::vector<std::string> line_names;
    std::map<std::string, std::vector<const SweepRunView*>> lines;
    std::vector<std::string> categories;
    for (const auto& run : s.runs) {
        std::string name;
        for (std::size_t i = 0; i < run.setting.size(); ++i) {
            if (i == x.axis)
                continue;
            name += (name.empty() ? "" : ", ") + run.setting[i].first + "=" + run.setting[i].second;
        }
        if (name.empty())
            name = "all runs";
        if (!lines.count(name))
            line_names.push_back(name);
        lines[name].push_back(&run);
    }
    if (!x.numeric)
        categories = s.axes[x.axis].second;
    const auto x_of = [&](const SweepRunView& run) {
        if (x.axis == SIZE_MAX)
            return run.writers;
        const std::string& v = run.setting[x.axis].second;
        if (x.numeric)
            return std::strtod(v.c_str(), nullptr);
        return static_cast<double>(std::find(categories.begin(), categories.end(), v) -
                                   categories.begin());
    };
    static const char* const kTitles[] = {"Goodput", "HTTP calls per success", "p99 latency"};
    static const char* const kUnits[] = {"goodput (acknowledged updates/s)",
                                         "HTTP calls per acknowledged update", "p99 latency (ms)"};
    static const char* const kCaptions[] = {
        "Higher is better: acknowledged updates per second of the run.",
        "Lower is better: every GET, write and retry the engine sent, per acknowledged update. "
        "Retry storms show up here first.",
        "Lower is better: 99th percentile of the whole resolution (first write to outcome)."};
    for (int m = 0; m < 3; ++m) {
        LineChart chart{
            std::string(kTitles[m]) + " against " + x.label, x.label, kUnits[m], {}, categories};
        for (const auto& name : line_names) {
            Series series{name, {}};
            for (const SweepRunView* run : lines[name])
                series.points.emplace_back(x_of(*run), metric_of(*run, m));
            std::stable_sort(series.points.begin(), series.points.end());
            chart.series.push_back(std::move(series));
        }
        body += html_figure(line_chart(chart), kCaptions[m]);
    }

    body += "</section>\n<section id=\"sweep-table\">\n<h2>Every run</h2>\n";
    std::vector<std::string> header;
    std::vector<bool> numeric;
    for (const auto& [key, values] : s.axes) {
        (void)values;
        header.push_back(key);
        numeric.push_back(false);
    }
    // The run's writer count, unless it is an axis already.
    const bool writers_axis = std::any_of(s.axes.begin(), s.axes.end(),
                                          [](const auto& a) { return a.first == "writers"; });
    for (const char* h : {"writers", "ops", "goodput /s", "calls/success", "attempts/update",
                          "conflict rate", "p50 ms", "p99 ms", "max ms", "Failed", "lost"}) {
        if (writers_axis && std::string_view(h) == "writers")
            continue;
        header.push_back(h);
        numeric.push_back(true);
    }
    header.push_back("verdict");
    header.push_back("reproduce");
    std::vector<std::vector<std::string>> rows;
    for (const auto& run : s.runs) {
        std::vector<std::string> row;
        for (const auto& [key, value] : run.setting) {
            (void)key;
            row.push_back(value);
        }
        if (!writers_axis)
            row.push_back(format_count(run.writers));
        row.push_back(format_count(run.ops));
        row.push_back(format_fixed(run.goodput_per_s, 1));
        row.push_back(format_fixed(run.calls_per_success, 2));
        row.push_back(format_fixed(run.attempts_per_update, 2));
        row.push_back(format_fixed(100 * run.conflict_rate, 1) + " %");
        row.push_back(format_ms(run.p50_ms));
        row.push_back(format_ms(run.p99_ms));
        row.push_back(format_ms(run.max_ms));
        row.push_back(format_count(run.failed));
        row.push_back(format_count(run.lost_updates));
        row.push_back(run.passed ? "PASS" : "FAIL");
        row.push_back(run.reproduce);
        rows.push_back(std::move(row));
    }
    body += html_table(header, rows, numeric);
    body += "</section>\n";
    return html_page("Conflict Lab sweep: " + s.scenario_file, body);
}

}  // namespace conflictlab::reports::detail
