// parse_fault_rules: the validating reader of the rule file. Every field is
// checked for type, range and combination; unknown keys are errors. The first
// problem throws FaultRuleError naming the rule index, the field path and the
// reason, so nothing half-valid is ever installed.

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string_view>
#include <unordered_map>

#include "conflictlab/common/http_date.hpp"
#include "conflictlab/mock/faults/fault_rules.hpp"
#include "fault_rules_names.hpp"

namespace conflictlab::mock {

namespace {

using nlohmann::json;

// A short rendering of an offending value for error messages.
std::string describe(const json& v) {
    constexpr std::size_t limit = 60;
    std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > limit) {
        s.resize(limit - 3);
        s += "...";
    }
    return s;
}

// An unknown key as it appears in a message: printable ASCII only (others
// become '?'), at most 60 characters, so a hostile key cannot bloat or break
// the error message.
std::string printable_key(std::string_view key) {
    constexpr std::size_t limit = 60;
    std::string out;
    for (const char c : key.substr(0, limit)) {
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    if (key.size() > limit) {
        out += "...";
    }
    return out;
}

std::string join_list(std::initializer_list<std::string_view> names) {
    std::string out;
    for (auto n : names) {
        if (!out.empty()) {
            out += ", ";
        }
        out += n;
    }
    return out;
}

// Where the parser is: the rule index (-1 at the top level) and the field path
// inside it. Every check reports through fail().
class Cursor {
  public:
    Cursor(int rule, std::string field) : rule_(rule), field_(std::move(field)) {}

    Cursor operator/(std::string_view key) const {
        return {rule_, field_.empty() ? std::string(key) : field_ + "." + std::string(key)};
    }
    Cursor at(std::size_t i) const { return {rule_, field_ + "[" + std::to_string(i) + "]"}; }

    [[noreturn]] void fail(std::string reason) const {
        throw FaultRuleError(rule_, field_, std::move(reason));
    }
    [[noreturn]] void fail_value(std::string_view expectation, const json& v) const {
        fail(std::string(expectation) + ", got " + describe(v));
    }

    void require_object(const json& v) const {
        if (!v.is_object()) {
            fail_value("must be an object", v);
        }
    }
    void reject_unknown(const json& obj, std::initializer_list<std::string_view> allowed) const {
        for (const auto& item : obj.items()) {
            if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
                (*this / printable_key(item.key()))
                    .fail("unknown field (allowed: " + join_list(allowed) + ")");
            }
        }
    }
    const json& required(const json& obj, std::string_view key) const {
        const auto it = obj.find(key);
        if (it == obj.end()) {
            (*this / key).fail("required field is missing");
        }
        return *it;
    }

    double number(const json& v, double lo, double hi, std::string_view expectation) const {
        if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo ||
            v.get<double>() > hi) {
            fail_value(expectation, v);
        }
        return v.get<double>();
    }
    std::int64_t integer(const json& v, std::int64_t lo, std::int64_t hi,
                         std::string_view expectation) const {
        const bool in_range =
            v.is_number_integer() &&
            (v.is_number_unsigned() ? v.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi) &&
                                          v.get<std::int64_t>() >= lo
                                    : v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi);
        if (!in_range) {
            fail_value(expectation, v);
        }
        return v.get<std::int64_t>();
    }
    std::uint64_t count(const json& v) const {
        if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<std::int64_t>() < 1) ||
            v.get<std::uint64_t>() < 1) {
            fail_value("must be an integer >= 1", v);
        }
        return v.get<std::uint64_t>();
    }
    const std::string& string(const json& v, std::string_view expectation) const {
        if (!v.is_string()) {
            fail_value(expectation, v);
        }
        return v.get_ref<const std::string&>();
    }

  private:
    int rule_;
    std::string field_;
};

bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

// RFC 9110 5.6.2 tchar, for header field names.
bool is_tchar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_method(std::string_view m) {
    constexpr std::size_t method_max = 32;
    return !m.empty() && m.size() <= method_max && std::all_of(m.begin(), m.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

RuleMatch parse_match(const Cursor& at, const json& v) {
    at.require_object(v);
    at.reject_unknown(v, {"methods", "path", "resource", "header"});
    RuleMatch m;
    if (const auto it = v.find("methods"); it != v.end()) {
        const Cursor c = at / "methods";
        if (!it->is_array() || it->empty()) {
            c.fail_value("must be a non-empty array of method names", *it);
        }
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& e = (*it)[i];
            if (!e.is_string() || !is_method(e.get_ref<const std::string&>())) {
                c.at(i).fail_value("must be an upper-case method name such as \"PUT\"", e);
            }
            m.methods.push_back(e.get<std::string>());
        }
    }
    if (const auto it = v.find("path"); it != v.end()) {
        const Cursor c = at / "path";
        constexpr std::string_view expectation =
            "must be a glob starting with '/' of at most 1024 characters";
        const auto& s = c.string(*it, expectation);
        if (s.empty() || s.front() != '/' || s.size() > fault_path_glob_max) {
            c.fail_value(expectation, *it);
        }
        m.path = s;
    }
    if (const auto it = v.find("resource"); it != v.end()) {
        const Cursor c = at / "resource";
        const auto& s = c.string(*it, "must be a non-empty resource id");
        if (s.empty()) {
            c.fail_value("must be a non-empty resource id", *it);
        }
        m.resource = s;
    }
    if (const auto it = v.find("header"); it != v.end()) {
        const Cursor c = at / "header";
        c.require_object(*it);
        c.reject_unknown(*it, {"name", "value"});
        const Cursor cn = c / "name";
        constexpr std::string_view expectation =
            "must be a header field name such as \"X-Writer-Id\"";
        const auto& name = cn.string(c.required(*it, "name"), expectation);
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_tchar)) {
            cn.fail_value(expectation, (*it)["name"]);
        }
        HeaderMatch h{name, std::nullopt};
        if (const auto vt = it->find("value"); vt != it->end()) {
            h.value = (c / "value").string(*vt, "must be a string");
        }
        m.header = std::move(h);
    }
    return m;
}

RuleWhen parse_when(const Cursor& at, const json& v) {
    at.require_object(v);
    at.reject_unknown(v, {"probability", "nth", "every", "first", "after_s", "max_firings"});
    RuleWhen w;
    if (const auto it = v.find("probability"); it != v.end()) {
        w.probability = (at / "probability").number(*it, 0, 1, "must be a number in [0, 1]");
    }
    if (const auto it = v.find("nth"); it != v.end()) {
        w.nth = (at / "nth").count(*it);
    }
    if (const auto it = v.find("every"); it != v.end()) {
        w.every = (at / "every").count(*it);
    }
    if (const auto it = v.find("first"); it != v.end()) {
        w.first = (at / "first").count(*it);
    }
    if (const auto it = v.find("after_s"); it != v.end()) {
        w.after_s = (at / "after_s")
                        .number(*it, 0, static_cast<double>(fault_seconds_max),
                                "must be a number of seconds in [0, 31536000]");
    }
    if (const auto it = v.find("max_firings"); it != v.end()) {
        w.max_firings = (at / "max_firings").count(*it);
    }
    return w;
}

constexpr std::string_view delay_ms_expectation = "must be a number of milliseconds in [0, 60000]";

double delay_field(const Cursor& at, const json& obj, std::string_view key, double lo,
                   std::string_view expectation = delay_ms_expectation) {
    const Cursor c = at / key;
    return c.number(at.required(obj, key), lo, static_cast<double>(fault_delay_ms_max),
                    expectation);
}

DelaySpec parse_delay(const Cursor& at, const json& v) {
    if (v.is_number()) {
        return FixedDelay{
            at.number(v, 0, static_cast<double>(fault_delay_ms_max), delay_ms_expectation)};
    }
    if (!v.is_object() || v.size() != 1) {
        at.fail_value(
            "must be a number of milliseconds or an object with one of uniform, normal, lognormal",
            v);
    }
    at.reject_unknown(v, {"uniform", "normal", "lognormal"});
    const auto first = v.begin();  // the only member
    const std::string& kind = first.key();
    const json& params = first.value();
    const Cursor c = at / kind;
    c.require_object(params);
    if (kind == "uniform") {
        c.reject_unknown(params, {"min", "max"});
        const double lo = delay_field(c, params, "min", 0);
        const double hi = delay_field(c, params, "max", 0);
        if (hi < lo) {
            (c / "max").fail_value("must be >= min (" + describe(params["min"]) + ")",
                                   params["max"]);
        }
        return UniformDelay{lo, hi};
    }
    if (kind == "normal") {
        c.reject_unknown(params, {"mean", "stddev"});
        const double mean = delay_field(c, params, "mean", 0);
        const double stddev = delay_field(c, params, "stddev", 0);
        return NormalDelay{mean, stddev};
    }
    c.reject_unknown(params, {"median", "sigma"});
    const double median =
        delay_field(c, params, "median", 0, "must be a number of milliseconds in (0, 60000]");
    if (median <= 0) {
        (c / "median")
            .fail_value("must be a number of milliseconds in (0, 60000]", params["median"]);
    }
    const Cursor cs = c / "sigma";
    const double sigma = cs.number(c.required(params, "sigma"), 0, fault_lognormal_sigma_max,
                                   "must be a number in [0, 10]");
    return LognormalDelay{median, sigma};
}

template <typename Enum, std::size_t N>
Enum parse_enum(const Cursor& at, const json& v,
                const std::array<std::pair<std::string_view, Enum>, N>& names) {
    if (v.is_string()) {
        for (const auto& [name, value] : names) {
            if (v.get_ref<const std::string&>() == name) {
                return value;
            }
        }
    }
    std::string expectation = "must be one of ";
    for (std::size_t i = 0; i < N; ++i) {
        expectation += (i ? ", \"" : "\"") + std::string(names[i].first) + "\"";
    }
    at.fail_value(expectation, v);
}

RuleThen parse_then(const Cursor& at, const json& v) {
    at.require_object(v);
    at.reject_unknown(
        v, {"status", "retry_after_s", "retry_after_date", "body", "delay_ms", "delete_resource",
            "foreign_write", "switch_etag_style", "switch_etag_scheme", "connection"});
    if (v.empty()) {
        at.fail("must contain at least one action");
    }
    RuleThen t;
    if (const auto it = v.find("status"); it != v.end()) {
        const Cursor c = at / "status";
        const bool allowed =
            it->is_number_integer() && std::find(fault_statuses.begin(), fault_statuses.end(),
                                                 it->get<std::int64_t>()) != fault_statuses.end();
        if (!allowed) {
            c.fail_value("must be one of 404, 409, 410, 412, 428, 429, 500, 502, 503, 504", *it);
        }
        t.status = it->get<int>();
    }
    const auto needs_status = [&](std::string_view key) {
        if (!t.status) {
            (at / key).fail("requires then.status");
        }
    };
    if (const auto it = v.find("retry_after_s"); it != v.end()) {
        needs_status("retry_after_s");
        t.retry_after_s = (at / "retry_after_s")
                              .integer(*it, 0, fault_seconds_max,
                                       "must be an integer number of seconds in [0, 31536000]");
    }
    if (const auto it = v.find("retry_after_date"); it != v.end()) {
        needs_status("retry_after_date");
        const Cursor c = at / "retry_after_date";
        if (t.retry_after_s) {
            c.fail("cannot be combined with then.retry_after_s");
        }
        if (it->is_object()) {
            c.reject_unknown(*it, {"in_s"});
            t.retry_after_date_in_s =
                (c / "in_s")
                    .integer(c.required(*it, "in_s"), -fault_seconds_max, fault_seconds_max,
                             "must be an integer number of seconds in [-31536000, 31536000]");
        } else if (it->is_string() && parse_http_date(it->get_ref<const std::string&>())) {
            t.retry_after_date = it->get<std::string>();
        } else {
            c.fail_value(
                "must be an HTTP-date such as \"Sun, 06 Nov 1994 08:49:37 GMT\" or {\"in_s\": N}",
                *it);
        }
    }
    if (const auto it = v.find("body"); it != v.end()) {
        needs_status("body");
        t.body = *it;
    }
    if (const auto it = v.find("delay_ms"); it != v.end()) {
        t.delay_ms = parse_delay(at / "delay_ms", *it);
    }
    if (const auto it = v.find("delete_resource"); it != v.end()) {
        if (*it != true) {
            (at / "delete_resource").fail_value("must be true (omit it to keep the resource)", *it);
        }
        t.delete_resource = true;
    }
    if (const auto it = v.find("foreign_write"); it != v.end()) {
        const Cursor c = at / "foreign_write";
        c.require_object(*it);
        c.reject_unknown(*it, {"merge_patch"});
        const json& patch = c.required(*it, "merge_patch");
        if (!patch.is_object()) {
            (c / "merge_patch").fail_value("must be an object (an RFC 7396 merge patch)", patch);
        }
        t.foreign_write_merge_patch = patch;
    }
    if (const auto it = v.find("switch_etag_style"); it != v.end()) {
        t.switch_etag_style = parse_enum(at / "switch_etag_style", *it, etag_style_names);
    }
    if (const auto it = v.find("switch_etag_scheme"); it != v.end()) {
        t.switch_etag_scheme = parse_enum(at / "switch_etag_scheme", *it, etag_scheme_names);
    }
    if (const auto it = v.find("connection"); it != v.end()) {
        t.connection = parse_enum(at / "connection", *it, connection_names);
    }
    return t;
}

FaultRule parse_rule(int index, const json& v, std::unordered_map<std::string, int>& names_seen) {
    const Cursor at(index, "");
    at.require_object(v);
    at.reject_unknown(v, {"name", "description", "match", "when", "then"});
    FaultRule r;
    const Cursor cn = at / "name";
    constexpr std::string_view name_expectation =
        "must be a string of 1 to 64 characters from A-Z a-z 0-9 . _ -";
    const json& name = at.required(v, "name");
    r.name = cn.string(name, name_expectation);
    if (r.name.empty() || r.name.size() > fault_rule_name_max ||
        !std::all_of(r.name.begin(), r.name.end(), is_name_char)) {
        cn.fail_value(name_expectation, name);
    }
    if (const auto [it, inserted] = names_seen.emplace(r.name, index); !inserted) {
        cn.fail("must be unique, \"" + r.name + "\" is also the name of rules[" +
                std::to_string(it->second) + "]");
    }
    if (const auto it = v.find("description"); it != v.end()) {
        r.description = (at / "description").string(*it, "must be a string");
    }
    if (const auto it = v.find("match"); it != v.end()) {
        r.match = parse_match(at / "match", *it);
    }
    if (const auto it = v.find("when"); it != v.end()) {
        r.when = parse_when(at / "when", *it);
    }
    r.then = parse_then(at / "then", at.required(v, "then"));
    return r;
}

std::string rule_error_path(int rule_index, const std::string& field) {
    if (rule_index < 0) {
        return field.empty() ? "rule file" : field;
    }
    std::string path = "rules[" + std::to_string(rule_index) + "]";
    if (!field.empty()) {
        path += "." + field;
    }
    return path;
}

}  // namespace

FaultRuleError::FaultRuleError(int rule_index_in, std::string field_in, std::string reason_in)
    : std::invalid_argument(rule_error_path(rule_index_in, field_in) + ": " + reason_in),
      rule_index(rule_index_in),
      field(std::move(field_in)),
      reason(std::move(reason_in)) {}

FaultRuleSet parse_fault_rules(const json& doc) {
    const Cursor top(-1, "");
    if (!doc.is_object()) {
        top.fail_value("must be a JSON object", doc);
    }
    top.reject_unknown(doc, {"seed", "description", "rules"});
    FaultRuleSet set;
    if (const auto it = doc.find("seed"); it != doc.end()) {
        if (!it->is_number_unsigned() &&
            !(it->is_number_integer() && it->get<std::int64_t>() >= 0)) {
            (top / "seed").fail_value("must be an integer in [0, 18446744073709551615]", *it);
        }
        set.seed = it->get<std::uint64_t>();
    }
    if (const auto it = doc.find("description"); it != doc.end()) {
        set.description = (top / "description").string(*it, "must be a string");
    }
    const Cursor cr = top / "rules";
    const json& rules = top.required(doc, "rules");
    if (!rules.is_array()) {
        cr.fail_value("must be an array", rules);
    }
    if (rules.size() > fault_rules_max) {
        cr.fail("must hold at most 256 rules, got " + std::to_string(rules.size()));
    }
    std::unordered_map<std::string, int> names_seen;
    set.rules.reserve(rules.size());
    for (std::size_t i = 0; i < rules.size(); ++i) {
        set.rules.push_back(parse_rule(static_cast<int>(i), rules[i], names_seen));
    }
    return set;
}

}  // namespace conflictlab::mock
