// The public entry points: load, classify, render.
#include "conflictlab/reports/report.hpp"

#include <fstream>
#include <sstream>

#include "html.hpp"
#include "markdown.hpp"
#include "model.hpp"

namespace conflictlab::reports {

nlohmann::json parse_results(std::string_view text, std::string_view origin) {
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann's message names the byte and what it expected.
        std::string what = e.what();
        if (auto pos = what.find("parse error"); pos != std::string::npos)
            what = what.substr(pos);
        throw ReportError(std::string(origin) + ": not JSON: " + what);
    }
}

nlohmann::json load_results(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ReportError(path + ": cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw ReportError(path + ": cannot read the file");
    return parse_results(text.str(), path);
}

ResultsKind results_kind(const nlohmann::json& results) {
    if (!results.is_object())
        throw ReportError("/: expected an object (a conflictlab results file)");
    auto it = results.find("format");
    if (it == results.end())
        throw ReportError("/format: missing (not a conflictlab results file)");
    if (!it->is_string())
        throw ReportError("/format: expected a string");
    const std::string format = it->get<std::string>();
    if (format == "conflictlab-results/1")
        return ResultsKind::run;
    if (format == "conflictlab-sweep/1")
        return ResultsKind::sweep;
    throw ReportError("/format: \"" + format +
                      "\" is not a results format this version reads "
                      "(conflictlab-results/1, conflictlab-sweep/1)");
}

std::string render_html(const nlohmann::json& results, const ReportOptions& options) {
    if (results_kind(results) == ResultsKind::sweep)
        return detail::render_sweep_html(detail::read_sweep(results), options);
    return detail::render_run_html(detail::read_run(results), options);
}

std::string render_markdown(const nlohmann::json& results, const ReportOptions& options) {
    if (results_kind(results) == ResultsKind::sweep)
        return detail::render_sweep_markdown(detail::read_sweep(results), options);
    return detail::render_run_markdown(detail::read_run(results), options);
}

}  // namespace conflictlab::reports
