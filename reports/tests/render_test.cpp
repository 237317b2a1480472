// What the renderers must show, and what they must never let through.
#include <gtest/gtest.h>

#include <regex>

#include "conflictlab/reports/report.hpp"
#include "sample.hpp"
#include "svg.hpp"

namespace conflictlab::reports {
namespace {

using testing::sample_run;
using testing::sample_sweep;

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
        ++n;
    return n;
}

// A string that breaks out of text, attributes and SVG if left unescaped.
const std::string kEvil = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>|`";

TEST(RunHtml, EscapesEveryStringTakenFromTheResultsFile) {
    nlohmann::json j = sample_run();
    j["scenario_name"] = kEvil;
    j["scenario"]["description"] = kEvil;
    j["reproduce"] = kEvil;
    j["target"] = kEvil;
    j["errors"] = {kEvil};
    j["expectations"][0]["text"] = kEvil;
    j["expectations"][0]["detail"] = kEvil;
    j["expectations"][0]["op_ids"] = {kEvil};
    j["metrics"]["paths"] = {{kEvil, 3}};
    j["metrics"]["reasons"] = {{kEvil, 2}};
    j["metrics"]["server"]["fault_firings"] = {{kEvil, 1}};
    j["checker"]["anomalies"][0]["resource_id"] = kEvil;
    j["checker"]["anomalies"][0]["detail"] = kEvil;
    j["failed_ops"][0]["detail"] = kEvil;
    j["dashboard"]["conflicts_by_resource"]["top"][0]["id"] = kEvil;
    j["dashboard"]["conflict_heat"][0]["id"] = kEvil;
    j["dashboard"]["status_per_slot"] = {{kEvil, {1, 2}}};
    const std::string html = render_html(j);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("onerror=alert(2)>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    // Every injected copy arrived, escaped (titles, tables, SVG labels).
    EXPECT_GE(occurrences(html, "&lt;img src=x onerror=alert(2)&gt;"), 15u);
}

TEST(RunHtml, HasEverySectionAndChart) {
    const std::string html = render_html(sample_run());
    for (const char* id : {"verdict", "outcomes", "conflicts", "attempts", "latency", "throughput",
                           "faults", "findings"}) {
        EXPECT_NE(html.find("<section id=\"" + std::string(id) + "\">"), std::string::npos) << id;
    }
    // outcomes, conflicts/resource, heat strip, attempts, latency histogram,
    // goodput/s, statuses/s, fault firings.
    EXPECT_EQ(occurrences(html, "<svg class=\"chart\""), 8u);
    for (const char* title :
         {"Outcomes (ops, share of all)", "Conflicts per resource, top 2", "Conflict heat strip",
          "Attempts per update", "Latency histogram", "Goodput and completions per second",
          "Server responses per second, by status code", "Fault firings per rule"}) {
        EXPECT_NE(html.find(title), std::string::npos) << title;
    }
}

TEST(RunHtml, VerdictListsEachExpectationWithMeasuredValueAndThreshold) {
    const std::string html = render_html(sample_run());
    EXPECT_NE(html.find("<td>lost_updates == 0</td><td class=\"fail\">FAIL</td>"
                        "<td class=\"num\">1</td><td class=\"num\">0</td>"),
              std::string::npos);
    EXPECT_NE(html.find("<td>p99_ms &lt;= 100</td><td class=\"pass\">PASS</td>"
                        "<td class=\"num\">41.0</td><td class=\"num\">100</td>"),
              std::string::npos);
    EXPECT_NE(html.find("conflictlab run scenarios/sample.json --seed 42"), std::string::npos);
    EXPECT_NE(html.find("\xE2\x9C\x98 FAIL"), std::string::npos);
}

TEST(RunHtml, ConflictRankingShowsCountsAndShares) {
    const std::string html = render_html(sample_run());
    // r-0 took 6 of 7 conflicts.
    EXPECT_NE(html.find("<td>r-0</td><td class=\"num\">6</td><td class=\"num\">85.7 %</td>"),
              std::string::npos);
    EXPECT_NE(html.find("6 \xC2\xB7 85.7 %"), std::string::npos);       // on the bar itself
    EXPECT_NE(html.find("total 6, peak 4 at 0 s"), std::string::npos);  // heat strip row
}

TEST(RunHtml, CheckerFindingsNameResourceOperationsAndVersions) {
    const std::string html = render_html(sample_run());
    EXPECT_NE(html.find("<td>lost-update</td><td>r-0</td><td>w0-1</td><td>3 \xE2\x86\x92 5</td>"),
              std::string::npos);
}

TEST(RunHtml, SelfContained_NoScriptNoExternalFetch) {
    const std::string html = render_html(sample_run());
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find(" src="), std::string::npos);
    EXPECT_EQ(html.find("url("), std::string::npos);
    EXPECT_EQ(html.find("@import"), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"),
              std::string::npos);
    // The only links are in-page anchors.
    std::regex href("href=\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), href);
         it != std::sregex_iterator(); ++it) {
        EXPECT_EQ((*it)[1].str().rfind("#", 0), 0u) << (*it)[1].str();
    }
}

TEST(RunHtml, OptionalBlocksMissing_SectionsSaySo) {
    nlohmann::json j = sample_run();
    j.erase("dashboard");
    j.erase("time_series");
    const std::string html = render_html(j);
    EXPECT_NE(html.find("7 conflicts, but this results file has no per-resource conflict counts"),
              std::string::npos);
    EXPECT_NE(html.find("no attempts histogram"), std::string::npos);
    EXPECT_NE(html.find("no time series"), std::string::npos);
}

TEST(Charts, SeriesDifferByDashAndMarkerNotOnlyColour) {
    detail::LineChart chart{"t", "x (s)", "y (ops)", {}, {}};
    chart.series.push_back({"a", {{0, 1}, {1, 2}}});
    chart.series.push_back({"b", {{0, 2}, {1, 1}}});
    const std::string svg = detail::line_chart(chart);
    EXPECT_NE(svg.find("stroke-dasharray=\"6 3\""), std::string::npos);  // b is dashed
    EXPECT_NE(svg.find("<circle"), std::string::npos);                   // a's marker
    EXPECT_NE(svg.find("<rect x="), std::string::npos);                  // b's marker
    EXPECT_NE(svg.find(">x (s)</text>"), std::string::npos);             // axis labels
    EXPECT_NE(svg.find(">y (ops)</text>"), std::string::npos);
}

TEST(SweepHtml, OneLinePerBackoffAgainstWriters_TableBeneath) {
    const std::string html = render_html(sample_sweep());
    for (const char* title : {"Goodput against writers", "HTTP calls per success against writers",
                              "p99 latency against writers"}) {
        EXPECT_NE(html.find(title), std::string::npos) << title;
    }
    // Legend entries (one per backoff) in each of the three charts.
    EXPECT_EQ(occurrences(html, ">backoff=none</text>"), 3u);
    EXPECT_EQ(occurrences(html, ">backoff=full-jitter</text>"), 3u);
    EXPECT_NE(html.find("<section id=\"sweep-table\">"), std::string::npos);
    EXPECT_NE(html.find("conflictlab sweep s.json --seed 42 --vary backoff=none --vary writers=32"),
              std::string::npos);
}

TEST(Markdown, RunSummaryHasVerdictTableAndReproduce) {
    const std::string md = render_markdown(sample_run());
    EXPECT_NE(md.find("## Conflict Lab: sample \xE2\x80\x94 **FAIL**"), std::string::npos);
    EXPECT_NE(md.find("| lost\\_updates == 0 | FAIL | 1 | 0 |"), std::string::npos);
    EXPECT_NE(md.find("```sh\nconflictlab run scenarios/sample.json --seed 42\n```"),
              std::string::npos);
    EXPECT_NE(md.find("| r-0 | 6 | 85.7 % |"), std::string::npos);
    EXPECT_NE(md.find("| lost-update | r-0 | w0-1 | 3 \xE2\x86\x92 5 |"), std::string::npos);
}

TEST(Markdown, EscapesStringsSoNoHtmlOrTableBreakSurvives) {
    nlohmann::json j = sample_run();
    j["expectations"][0]["text"] = kEvil;
    j["reproduce"] = "x ``` y";
    const std::string md = render_markdown(j);
    EXPECT_EQ(md.find("<script"), std::string::npos);
    EXPECT_NE(md.find("&lt;script&gt;"), std::string::npos);
    EXPECT_NE(md.find("\\|\\`"), std::string::npos);
    EXPECT_NE(md.find("````sh\nx ``` y\n````"), std::string::npos);  // longer fence
}

TEST(Markdown, SweepTableOneRowPerRun) {
    const std::string md = render_markdown(sample_sweep());
    EXPECT_NE(md.find("| backoff | writers | goodput /s |"), std::string::npos);
    EXPECT_NE(md.find("| none | 32 | 12.5 | 24.00 | 640.0 | 0 | 0 | PASS |"), std::string::npos);
}

}  // namespace
}  // namespace conflictlab::reports
