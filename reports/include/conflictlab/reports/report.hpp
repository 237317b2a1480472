#pragma once
// Reports: turn a results file (`conflictlab run --json`, `conflictlab sim
// --json`, or `conflictlab sweep --json`) into a self-contained HTML dashboard
// (inline CSS and SVG, no scripts, no external fetches: it opens offline from
// a CI artifact) or a short Markdown summary for CI job pages. docs/reports.md
// explains every section and chart.
//
// The renderers read only the JSON document: they include neither the
// engine nor the mock server. Every string taken from the document is
// escaped. A document that is not a results file, or lacks a field a section
// needs, is rejected with a ReportError naming the field (JSON pointer) and
// the problem; optional blocks (time_series, dashboard, server_stats) that
// are absent leave their section saying so.
//
// Thread-safety: free functions over values; no shared state.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace conflictlab::reports {

// Bad input: unreadable file, not JSON, wrong format, missing or mistyped
// field. what() names the problem, e.g. "/metrics/outcomes: missing".
class ReportError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class ResultsKind {
    run,    // "conflictlab-results/1": one run (real or simulated)
    sweep,  // "conflictlab-sweep/1": one run per grid point
};

struct ReportOptions {
    // Rows of the "conflicts per resource" ranking (at most what the
    // results file holds, which is 20).
    std::size_t top_resources = 10;
    // Resources drawn in the conflict heat strip (at most 8 in the file).
    std::size_t heat_resources = 8;
    // Columns of the heat strip and points per time chart: longer series are
    // summed into wider slots, so the page stays small on long runs.
    std::size_t time_columns_max = 120;
    // Checker anomalies and failed operations listed (the rest are counted).
    std::size_t findings_max = 50;
    // Failed operations listed (the results file keeps the first 50).
    std::size_t failed_ops_max = 10;
};

// Reads and parses a results file. Throws ReportError: "PATH: cannot open
// the file", "PATH: not JSON: <parser message>".
nlohmann::json load_results(const std::string& path);

// Parses results text; `origin` names it in errors.
nlohmann::json parse_results(std::string_view text, std::string_view origin);

// Which kind of results file this is, from its "format" field. Throws
// ReportError for anything else ("/format: ... is not a results format").
ResultsKind results_kind(const nlohmann::json& results);

// The HTML dashboard: one complete document.
// Throws ReportError when a required field is missing or mistyped.
std::string render_html(const nlohmann::json& results, const ReportOptions& options = {});

// The Markdown summary (GitHub-flavoured: tables, no raw HTML).
// Throws ReportError like render_html.
std::string render_markdown(const nlohmann::json& results, const ReportOptions& options = {});

}  // namespace conflictlab::reports
