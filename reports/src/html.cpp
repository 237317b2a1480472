#include "html.hpp"

#include "text.hpp"

namespace conflictlab::reports::detail {

namespace {

// Print-friendly, no web fonts, no external anything.
constexpr const char* kCss = R"(
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--pass:#116329;--fail:#a40e26;--bar:#0072B2}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff}
main{max-width:1000px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
nav{font-size:13px;margin:8px 0}nav a{margin-right:12px;color:var(--bar)}
.verdict{display:inline-block;font-weight:700;font-size:18px;padding:4px 12px;border-radius:4px;border:2px solid}
.verdict.pass{color:var(--pass);border-color:var(--pass)}.verdict.fail{color:var(--fail);border-color:var(--fail)}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa;white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.pass,td.fail{white-space:nowrap}
td.pass{color:var(--pass);font-weight:700}td.pass::before{content:"\2714\00a0"}
td.fail{color:var(--fail);font-weight:700}td.fail::before{content:"\2718\00a0"}
pre{background:#f6f8fa;border:1px solid var(--line);padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.kv{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:8px 0}
.kv div{border:1px solid var(--line);border-radius:4px;padding:6px 8px}.kv b{display:block;font-size:18px}
.kv span{color:var(--muted);font-size:12px}
.note{color:var(--muted)}
figure{margin:8px 0 16px}figcaption{color:var(--muted);font-size:12px}
svg.chart{width:100%;height:auto;max-width:720px;display:block}
svg text{font:11px system-ui,sans-serif;fill:#1b1f24}svg text.ct{font-size:13px;font-weight:600}
svg text.al{fill:#57606a}svg text.val{font-size:10.5px}
svg .grid{stroke:#eaeef2}svg .axis{stroke:#57606a}svg .bar{fill:var(--bar)}svg .peak{fill:#000}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
)";

}  // namespace

std::string html_page(const std::string& title, const std::string& body) {
    std::string out;
    out.reserve(body.size() + 4096);
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    // Nothing may be fetched or run: the report is data, and must open
    // offline from a CI artifact.
    out +=
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n";
    out += "<meta name=\"generator\" content=\"conflictlab report\">\n";
    out += "<title>" + escape_html(title) + "</title>\n<style>" + kCss + "</style>\n</head>\n";
    out += "<body>\n<main>\n" + body + "</main>\n</body>\n</html>\n";
    return out;
}

std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& numeric) {
    std::string out = "<table>\n<thead><tr>";
    for (const auto& h : header)
        out += "<th>" + escape_html(h) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (const auto& row : rows) {
        out += "<tr>";
        for (std::size_t i = 0; i < row.size(); ++i) {
            const std::string& cell = row[i];
            if (cell == "PASS")
                out += "<td class=\"pass\">PASS</td>";
            else if (cell == "FAIL")
                out += "<td class=\"fail\">FAIL</td>";
            else if (i < numeric.size() && numeric[i])
                out += "<td class=\"num\">" + escape_html(cell) + "</td>";
            else
                out += "<td>" + escape_html(cell) + "</td>";
        }
        out += "</tr>\n";
    }
    return out + "</tbody>\n</table>\n";
}

std::string html_note(const std::string& text) {
    return "<p class=\"note\">" + escape_html(text) + "</p>\n";
}

std::string html_figure(const std::string& svg, const std::string& caption) {
    return "<figure>" + svg + "<figcaption>" + escape_html(caption) + "</figcaption></figure>\n";
}

}  // namespace conflictlab::reports::detail
