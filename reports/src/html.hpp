#pragma once
// The HTML page around the sections: one self-contained document with inline
// CSS, a Content-Security-Policy that forbids every fetch and every script
// (so nothing in it can reach the network, even by mistake), and small
// builders for tables and figure blocks shared by the run and sweep pages.
//
// Thread-safety: pure functions.

#include <string>
#include <vector>

#include "conflictlab/reports/report.hpp"
#include "model.hpp"

namespace conflictlab::reports::detail {

// A complete document: <!DOCTYPE html> ... </html>. `title` is escaped;
// `body` is markup.
std::string html_page(const std::string& title, const std::string& body);

// A table: header cells and rows of cells, all escaped. Cells whose text is
// exactly "PASS" or "FAIL" get a verdict class (the word stays the message).
// `numeric` marks columns to right-align.
std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& numeric = {});

// "<p class=note>text</p>" (escaped).
std::string html_note(const std::string& text);

// Figures: chart markup wrapped with a caption (escaped).
std::string html_figure(const std::string& svg, const std::string& caption);

// The page for one run / one sweep.
std::string render_run_html(const RunView& run, const ReportOptions& options);
std::string render_sweep_html(const SweepView& sweep, const ReportOptions& options);

}  // namespace conflictlab::reports::detail
