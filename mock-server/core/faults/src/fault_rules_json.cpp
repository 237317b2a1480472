// to_json for rule sets: the canonical rule file. Every field parse_fault_rules
// reads is written back, so parse_fault_rules(to_json(s)) == s, and numbers
// that hold whole values are written as integers so the output reads like
// what people write.

#include <cmath>
#include <type_traits>

#include "conflictlab/mock/faults/fault_rules.hpp"
#include "fault_rules_names.hpp"

namespace conflictlab::mock {

namespace {

using nlohmann::json;

json number(double v) {
    constexpr double exact_integer_max = 9007199254740992.0;  // 2^53
    if (std::trunc(v) == v && std::fabs(v) <= exact_integer_max) {
        return static_cast<std::int64_t>(v);
    }
    return v;
}

json to_json(const RuleMatch& m) {
    json out = json::object();
    if (!m.methods.empty()) {
        out["methods"] = m.methods;
    }
    if (m.path) {
        out["path"] = *m.path;
    }
    if (m.resource) {
        out["resource"] = *m.resource;
    }
    if (m.header) {
        json h{{"name", m.header->name}};
        if (m.header->value) {
            h["value"] = *m.header->value;
        }
        out["header"] = std::move(h);
    }
    return out;
}

json to_json(const RuleWhen& w) {
    json out = json::object();
    if (w.probability) {
        out["probability"] = number(*w.probability);
    }
    if (w.nth) {
        out["nth"] = *w.nth;
    }
    if (w.every) {
        out["every"] = *w.every;
    }
    if (w.first) {
        out["first"] = *w.first;
    }
    if (w.after_s) {
        out["after_s"] = number(*w.after_s);
    }
    if (w.max_firings) {
        out["max_firings"] = *w.max_firings;
    }
    return out;
}

json to_json(const DelaySpec& d) {
    return std::visit(
        [](const auto& spec) -> json {
            using T = std::decay_t<decltype(spec)>;
            if constexpr (std::is_same_v<T, FixedDelay>) {
                return number(spec.ms);
            } else if constexpr (std::is_same_v<T, UniformDelay>) {
                return {{"uniform", {{"min", number(spec.min_ms)}, {"max", number(spec.max_ms)}}}};
            } else if constexpr (std::is_same_v<T, NormalDelay>) {
                return {{"normal",
                         {{"mean", number(spec.mean_ms)}, {"stddev", number(spec.stddev_ms)}}}};
            } else {
                return {{"lognormal",
                         {{"median", number(spec.median_ms)}, {"sigma", number(spec.sigma)}}}};
            }
        },
        d);
}

json to_json(const RuleThen& t) {
    json out = json::object();
    if (t.status) {
        out["status"] = *t.status;
    }
    if (t.retry_after_s) {
        out["retry_after_s"] = *t.retry_after_s;
    }
    if (t.retry_after_date) {
        out["retry_after_date"] = *t.retry_after_date;
    }
    if (t.retry_after_date_in_s) {
        out["retry_after_date"] = {{"in_s", *t.retry_after_date_in_s}};
    }
    if (t.body) {
        out["body"] = *t.body;
    }
    if (t.delay_ms) {
        out["delay_ms"] = to_json(*t.delay_ms);
    }
    if (t.delete_resource) {
        out["delete_resource"] = true;
    }
    if (t.foreign_write_merge_patch) {
        out["foreign_write"] = {{"merge_patch", *t.foreign_write_merge_patch}};
    }
    if (t.switch_etag_style) {
        out["switch_etag_style"] = name_of(etag_style_names, *t.switch_etag_style);
    }
    if (t.switch_etag_scheme) {
        out["switch_etag_scheme"] = name_of(etag_scheme_names, *t.switch_etag_scheme);
    }
    if (t.connection) {
        out["connection"] = name_of(connection_names, *t.connection);
    }
    return out;
}

}  // namespace

json to_json(const FaultRule& rule) {
    json out{{"name", rule.name}};
    if (!rule.description.empty()) {
        out["description"] = rule.description;
    }
    out["match"] = to_json(rule.match);
    out["when"] = to_json(rule.when);
    out["then"] = to_json(rule.then);
    return out;
}

json to_json(const FaultRuleSet& set) {
    json out = json::object();
    if (set.seed) {
        out["seed"] = *set.seed;
    }
    if (!set.description.empty()) {
        out["description"] = set.description;
    }
    json rules = json::array();
    for (const auto& r : set.rules) {
        rules.push_back(to_json(r));
    }
    out["rules"] = std::move(rules);
    return out;
}

}  // namespace conflictlab::mock
