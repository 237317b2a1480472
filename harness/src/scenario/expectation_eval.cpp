// evaluate_expectation: looks the metric up in the run's metrics and
// compares. Never throws: every problem becomes a failed result whose detail
// says what was wrong, because a gate that crashes the report gates nothing.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include "conflictlab/harness/expectations.hpp"
#include "metric_vocabulary.hpp"

namespace conflictlab::harness {

using nlohmann::json;

namespace {

// Keys listed in "unknown metric" details, at most.
constexpr std::size_t kKeysShown = 20;
// Values echoed in details are cut here.
constexpr std::size_t kValueChars = 200;

std::string json_quote(std::string_view s) {
    return json(std::string(s)).dump();
}

std::string show(const json& v) {
    std::string s = v.dump();
    if (s.size() > kValueChars) {
        s = s.substr(0, kValueChars) + "...";
    }
    return s;
}

std::string keys_of(const json& object) {
    std::string out;
    std::size_t n = 0;
    for (const auto& [key, value] : object.items()) {
        if (n == kKeysShown) {
            out += ", ...";
            break;
        }
        if (n++ > 0) {
            out += ", ";
        }
        out += key;
    }
    return out.empty() ? "none" : out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

struct Lookup {
    json value;                // valid when error is empty
    bool absent_zero = false;  // a count-map entry that is absent: read as 0
    std::string error;         // "unknown metric ..." otherwise
};

// Walks `path` through `metrics`. Object keys match exactly, else
// case-insensitively when exactly one key does (outcomes.failed finds
// outcomes.Failed).
Lookup lookup(const json& metrics, const std::string& path) {
    std::vector<std::string> segments;
    try {
        segments = split_metric_path(path);
    } catch (const std::invalid_argument& e) {
        return {nullptr, false, e.what()};
    }
    const json* cur = &metrics;
    std::string walked;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& seg = segments[i];
        const json* next = nullptr;
        if (cur->is_object()) {
            auto it = cur->find(seg);
            if (it != cur->end()) {
                next = &*it;
            } else {
                for (auto jt = cur->begin(); jt != cur->end(); ++jt) {
                    if (iequals(jt.key(), seg)) {
                        if (next) {  // ambiguous: several keys differ only in case
                            next = nullptr;
                            break;
                        }
                        next = &*jt;
                    }
                }
            }
            if (!next) {
                if (i + 1 == segments.size() && detail::is_count_map_entry(segments)) {
                    return {json(0), true, ""};
                }
                std::string where = walked.empty() ? "the metrics have " : walked + " has ";
                return {nullptr, false,
                        "unknown metric " + json_quote(path) + " (" + where + keys_of(*cur) + ")"};
            }
        } else if (cur->is_array() && !seg.empty() &&
                   std::all_of(seg.begin(), seg.end(),
                               [](unsigned char c) { return std::isdigit(c) != 0; }) &&
                   seg.size() < 10 && std::stoul(seg) < cur->size()) {
            next = &(*cur)[std::stoul(seg)];
        } else {
            return {nullptr, false,
                    "unknown metric " + json_quote(path) + " (" + walked + " is " +
                        std::string(cur->type_name()) + ", it has no " + json_quote(seg) + ")"};
        }
        walked += walked.empty() ? seg : "." + seg;
        cur = next;
    }
    return {*cur, false, ""};
}

// Numbers within this relative distance compare equal: metrics such as
// success_rate are quotients, and 297/300 should meet ">= 0.99".
constexpr double kRelativeTolerance = 1e-9;

// -1, 0, 1. Two integers compare exactly; otherwise as doubles with the
// tolerance above.
int compare_numbers(const json& a, const json& b) {
    if (a.is_number_integer() && b.is_number_integer()) {
        bool a_neg = a.is_number_integer() && !a.is_number_unsigned() && a.get<std::int64_t>() < 0;
        bool b_neg = b.is_number_integer() && !b.is_number_unsigned() && b.get<std::int64_t>() < 0;
        if (a_neg != b_neg) {
            return a_neg ? -1 : 1;
        }
        if (a_neg) {
            auto x = a.get<std::int64_t>(), y = b.get<std::int64_t>();
            return x < y ? -1 : (x > y ? 1 : 0);
        }
        auto x = a.get<std::uint64_t>(), y = b.get<std::uint64_t>();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    double x = a.get<double>(), y = b.get<double>();
    double scale = std::max({1.0, std::fabs(x), std::fabs(y)});
    if (std::fabs(x - y) <= kRelativeTolerance * scale) {
        return 0;
    }
    return x < y ? -1 : 1;
}

bool text_contains(const json& haystack, const json& needle) {
    std::string n = needle.is_string() ? needle.get<std::string>() : needle.dump();
    return haystack.is_string() &&
           haystack.get_ref<const std::string&>().find(n) != std::string::npos;
}

bool is_zero_count(const json& v) {
    return v.is_number() && v.get<double>() == 0.0;
}

// contains: objects by key (entries counting 0 do not count), arrays by
// element (equal, or a string containing the text), strings by substring.
// Fills measured with what matched.
bool evaluate_contains(const json& value, const json& needle, const std::string& metric,
                       ExpectationResult& r) {
    std::string what = json_quote(needle.is_string() ? needle.get<std::string>() : needle.dump());
    if (value.is_object()) {
        json matched = json::array();
        for (const auto& [key, v] : value.items()) {
            if (text_contains(json(key), needle) && !is_zero_count(v)) {
                matched.push_back(key);
            }
        }
        r.measured = matched;
        r.detail = matched.empty() ? "no key of " + metric + " contains " + what +
                                         " (keys: " + keys_of(value) + ")"
                                   : metric + " has " + show(matched) + ", containing " + what;
        return !matched.empty();
    }
    if (value.is_array()) {
        json matched = json::array();
        for (const auto& v : value) {
            if (v == needle || text_contains(v, needle)) {
                matched.push_back(v);
            }
        }
        r.measured = matched;
        r.detail = matched.empty() ? "no element of " + metric + " matches " + what + " (" +
                                         metric + " is " + show(value) + ")"
                                   : metric + " has " + show(matched) + ", matching " + what;
        return !matched.empty();
    }
    r.measured = value;
    if (value.is_string()) {
        bool found = text_contains(value, needle);
        r.detail =
            metric + " is " + show(value) + (found ? ", containing " : ", not containing ") + what;
        return found;
    }
    r.detail = "contains needs an object, array or string, but " + metric + " is " +
               std::string(value.type_name()) + " " + show(value);
    return false;
}

bool apply(const std::string& op, int cmp) {
    if (op == "==") {
        return cmp == 0;
    }
    if (op == "!=") {
        return cmp != 0;
    }
    if (op == "<") {
        return cmp < 0;
    }
    if (op == "<=") {
        return cmp <= 0;
    }
    if (op == ">") {
        return cmp > 0;
    }
    return cmp >= 0;  // ">="
}

}  // namespace

ExpectationResult evaluate_expectation(const Expectation& e, const json& metrics) {
    ExpectationResult r;
    r.text = e.text;
    r.measured = nullptr;
    r.threshold = e.operand_is_metric ? json(nullptr) : e.operand;

    Lookup left = lookup(metrics, e.metric);
    if (!left.error.empty()) {
        r.detail = left.error;
        return r;
    }
    r.measured = left.value;
    if (e.op == "contains") {
        r.passed = evaluate_contains(left.value, e.operand, e.metric, r);
        return r;
    }

    std::string right_name = e.operand.dump();
    if (e.operand_is_metric) {
        right_name = e.operand.is_string() ? e.operand.get<std::string>() : e.operand.dump();
        Lookup right = lookup(metrics, right_name);
        if (!right.error.empty()) {
            r.detail = right.error;
            return r;
        }
        r.threshold = right.value;
        right_name += " (" + show(right.value) + ")";
    }

    std::string stated = e.metric + " is " + show(r.measured) +
                         (left.absent_zero ? " (absent)" : "") + ", expected " + e.op + " " +
                         right_name;
    if (r.measured.is_null()) {
        r.detail = e.metric + " has no value (null), expected " + e.op + " " + right_name;
        return r;
    }
    if (r.threshold.is_null()) {
        r.detail = stated + ", which has no value (null)";
        return r;
    }
    if (r.measured.is_number() && r.threshold.is_number()) {
        r.passed = apply(e.op, compare_numbers(r.measured, r.threshold));
        r.detail = stated;
        return r;
    }
    if (e.op == "==" || e.op == "!=") {
        r.passed = (r.measured == r.threshold) == (e.op == "==");
        r.detail = stated;
        return r;
    }
    r.detail = stated + ", but " + e.op + " compares numbers only";
    return r;
}

json to_json(const ExpectationResult& r) {
    return {{"text", r.text},
            {"passed", r.passed},
            {"measured", r.measured},
            {"threshold", r.threshold},
            {"detail", r.detail}};
}

}  // namespace conflictlab::harness
