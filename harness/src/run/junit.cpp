#include "conflictlab/harness/junit.hpp"

#include "conflictlab/common/utf8.hpp"

#include <cstdio>
#include <sstream>

namespace conflictlab::harness {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], or 0; U+FFFE and
// U+FFFF are valid UTF-8 but not XML characters.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const Utf8Char c = decode_utf8(s, i);
    return c.code_point == 0xFFFE || c.code_point == 0xFFFF ? 0 : c.length;
}

std::string number_text(const nlohmann::json& v) {
    if (v.is_null())
        return "unknown";
    return v.dump();
}

struct Case {
    std::string name;
    bool failed = false;
    std::string message;  // failure message attribute
    std::string text;     // failure body
};

std::vector<Case> cases_of(const RunResult& r) {
    std::vector<Case> cases;
    for (const auto& e : r.expectations) {
        Case c;
        c.name = "expect: " + e.result.text;
        c.failed = !e.result.passed;
        if (c.failed) {
            c.message = e.result.text + ": measured " + number_text(e.result.measured);
            c.text = e.result.detail;
            if (!e.op_ids.empty()) {
                c.text += "\nops involved:";
                for (const auto& id : e.op_ids)
                    c.text += " " + id;
            }
        }
        cases.push_back(std::move(c));
    }
    Case checker;
    checker.name = "checker: no lost updates";
    checker.failed = !r.checker_passed();
    if (checker.failed) {
        checker.message = std::to_string(r.check.anomalies_total) + " anomalies (lost updates " +
                          std::to_string(r.check.lost_updates) + ", phantom writes " +
                          std::to_string(r.check.phantom_writes) + ", linearity violations " +
                          std::to_string(r.check.linearity_violations) + ")";
        for (const auto& a : r.check.anomalies) {
            checker.text += a.kind + " " + a.resource_id + ": " + a.detail;
            if (!a.op_ids.empty()) {
                checker.text += " (ops";
                for (const auto& id : a.op_ids)
                    checker.text += " " + id;
                checker.text += ")";
            }
            checker.text += "\n";
        }
    }
    cases.push_back(std::move(checker));
    if (!r.errors.empty()) {
        Case errors;
        errors.name = "run";
        errors.failed = true;
        errors.message = r.errors.front();
        for (const auto& e : r.errors)
            errors.text += e + "\n";
        cases.push_back(std::move(errors));
    }
    return cases;
}

void write_suite(std::ostringstream& out, const RunResult& r) {
    const auto cases = cases_of(r);
    std::size_t failures = 0;
    for (const auto& c : cases)
        failures += c.failed ? 1 : 0;
    const std::string suite = r.scenario_name.empty() ? "scenario" : r.scenario_name;
    char time[32];
    std::snprintf(time, sizeof time, "%.3f", r.wall_s);
    out << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << cases.size()
        << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"0\" time=\"" << time << "\"";
    if (!r.started_at.empty())
        out << " timestamp=\"" << xml_escape(r.started_at) << "\"";
    out << ">\n    <properties>\n";
    out << "      <property name=\"seed\" value=\"" << r.seed << "\"/>\n";
    out << "      <property name=\"reproduce\" value=\"" << xml_escape(r.reproduce) << "\"/>\n";
    out << "      <property name=\"scenario_file\" value=\"" << xml_escape(r.scenario_file)
        << "\"/>\n";
    out << "    </properties>\n";
    for (const auto& c : cases) {
        out << "    <testcase classname=\"conflictlab." << xml_escape(suite) << "\" name=\""
            << xml_escape(c.name) << "\" time=\"" << time << "\"";
        if (!c.failed) {
            out << "/>\n";
            continue;
        }
        out << ">\n      <failure message=\"" << xml_escape(c.message) << "\" type=\"gate\">"
            << xml_escape(c.text) << "</failure>\n    </testcase>\n";
    }
    out << "  </testsuite>\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x80) {
            switch (c) {
                case '&':
                    out += "&amp;";
                    break;
                case '<':
                    out += "&lt;";
                    break;
                case '>':
                    out += "&gt;";
                    break;
                case '"':
                    out += "&quot;";
                    break;
                case '\'':
                    out += "&apos;";
                    break;
                case '\t':
                    out += "&#9;";
                    break;
                case '\n':
                    out += "&#10;";
                    break;
                case '\r':
                    out += "&#13;";
                    break;
                default:
                    if (u < 0x20 || u == 0x7F) {
                        out += kReplacement;
                    } else {
                        out += c;
                    }
            }
            ++i;
            continue;
        }
        const std::size_t n = utf8_sequence(text, i);
        if (n == 0) {
            out += kReplacement;
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string render_junit(const std::vector<const RunResult*>& results) {
    std::size_t tests = 0;
    std::size_t failures = 0;
    double time = 0;
    for (const auto* r : results) {
        for (const auto& c : cases_of(*r)) {
            ++tests;
            failures += c.failed ? 1 : 0;
        }
        time += r->wall_s;
    }
    char time_text[32];
    std::snprintf(time_text, sizeof time_text, "%.3f", time);
    std::ostringstream out;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<testsuites name=\"conflictlab\" tests=\"" << tests << "\" failures=\"" << failures
        << "\" errors=\"0\" time=\"" << time_text << "\">\n";
    for (const auto* r : results)
        write_suite(out, *r);
    out << "</testsuites>\n";
    return out.str();
}

std::string render_junit(const RunResult& result) {
    return render_junit(std::vector<const RunResult*>{&result});
}

}  // namespace conflictlab::harness
