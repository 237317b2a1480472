// `conflictlab report RESULTS.json`: renders a results file (from `run`,
// `sim` or `sweep` --json) as a self-contained HTML dashboard and/or a
// Markdown summary (docs/reports.md). Reads the file only: nothing is run.
// Exit codes: 0 written, 2 bad input (unreadable, not JSON, not a results
// file, a missing field: the message names it) or an unwritable output.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

#include "command.hpp"
#include "conflictlab/reports/report.hpp"
#include "usage.hpp"

namespace conflictlab::cli {

namespace {

struct ReportFlags {
    std::string results;
    std::string html_file;      // -o: "" = RESULTS with .html instead of .json
    std::string markdown_file;  // --markdown
    std::size_t top = 10;
    bool quiet = false;
};

void write_output(const std::string& path, const std::string& text, const char* flag) {
    if (path == "-") {
        std::cout << text << std::flush;
        return;
    }
    write_text_file(path, text, flag);
}

std::string default_html_path(const std::string& results) {
    const auto slash = results.find_last_of('/');
    const auto dot = results.find_last_of('.');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash))
        return results.substr(0, dot) + ".html";
    return results + ".html";
}

int report(const ReportFlags& f) {
    reports::ReportOptions options;
    options.top_resources = f.top;
    try {
        const nlohmann::json results = reports::load_results(f.results);
        // Render both before writing either: bad input leaves no half output.
        std::string html, markdown;
        const bool want_html = !f.html_file.empty() || f.markdown_file.empty();
        const std::string html_path =
            f.html_file.empty() ? default_html_path(f.results) : f.html_file;
        if (want_html)
            html = reports::render_html(results, options);
        if (!f.markdown_file.empty())
            markdown = reports::render_markdown(results, options);
        if (want_html) {
            write_output(html_path, html, "-o");
            if (!f.quiet && html_path != "-")
                std::cerr << "conflictlab report: wrote " << html_path << " (" << html.size()
                          << " bytes)\n";
        }
        if (!f.markdown_file.empty()) {
            write_output(f.markdown_file, markdown, "--markdown");
            if (!f.quiet && f.markdown_file != "-")
                std::cerr << "conflictlab report: wrote " << f.markdown_file << "\n";
        }
    } catch (const reports::ReportError& e) {
        std::cerr << "conflictlab report: " << f.results << ": " << e.what() << "\n";
        return kExitBadInput;
    } catch (const std::exception& e) {
        std::cerr << "conflictlab report: " << e.what() << "\n";
        return kExitBadInput;
    }
    return kExitOk;
}

}  // namespace

void add_report_command(CLI::App& root, int& exit_code) {
    auto flags = std::make_shared<ReportFlags>();
    CLI::App* cmd = root.add_subcommand(
        "report",
        "Render a results file (run, sim or sweep --json) as an HTML dashboard and/or "
        "a Markdown summary");
    cmd->add_option("RESULTS", flags->results, "Results file (JSON)")->required();
    cmd->add_option("-o,--output", flags->html_file,
                    "Write the HTML report to FILE ('-' = stdout; default: RESULTS with .html)");
    cmd->add_option("--markdown", flags->markdown_file,
                    "Write the Markdown summary to FILE ('-' = stdout); with no -o, only this");
    cmd->add_option("--top", flags->top, "Resources in the conflicts-per-resource ranking")
        ->check(CLI::Range(1, 20));
    cmd->add_flag("--quiet,-q", flags->quiet, "Print nothing on success");
    cmd->callback([flags, &exit_code] { exit_code = report(*flags); });
}

}  // namespace conflictlab::cli
