#pragma once
// Markdown renderers (GitHub-flavoured, for CI job summaries).
//
// Thread-safety: pure functions.

#include <string>

#include "conflictlab/reports/report.hpp"
#include "model.hpp"

namespace conflictlab::reports::detail {

std::string render_run_markdown(const RunView& run, const ReportOptions& options);
std::string render_sweep_markdown(const SweepView& sweep, const ReportOptions& options);

}  // namespace conflictlab::reports::detail
