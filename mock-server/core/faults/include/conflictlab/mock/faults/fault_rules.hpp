#pragma once
// Fault rules: the mock server's rule file as documented data, its validating
// parser and its serializer. A rule says which requests it concerns (`match`),
// when it fires among those (`when`) and what it does (`then`); the
// FaultInjector evaluates a FaultRuleSet against each request.
// docs/fault-rules.md is the reference for the file format (a public contract:
// fields are added, never renamed).
//
// parse_fault_rules() validates the whole document and throws FaultRuleError
// on the first problem, so a rule set either is accepted whole or changes
// nothing. Unknown keys are errors everywhere: a typo must not silently turn a
// fault off.
//
// Thread-safety: plain values; no shared state.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/common/etag.hpp"
#include "conflictlab/mock/exchange.hpp"
#include "conflictlab/mock/faults/fault_decision.hpp"

namespace conflictlab::mock {

// Limits that keep a rule file (and the work per request) bounded.
inline constexpr std::size_t fault_rules_max = 256;            // rules per file
inline constexpr std::size_t fault_rule_name_max = 64;         // characters
inline constexpr std::size_t fault_path_glob_max = 1024;       // characters
inline constexpr std::int64_t fault_delay_ms_max = 60'000;     // per rule and per request
inline constexpr std::int64_t fault_seconds_max = 31'536'000;  // after_s, retry_after_*: 1 year
inline constexpr double fault_lognormal_sigma_max = 10.0;

// match.header: the request carries a field `name` (case-insensitive) whose
// value equals `value` exactly; without `value`, carrying the field suffices.
struct HeaderMatch {
    std::string name;
    std::optional<std::string> value;

    bool operator==(const HeaderMatch&) const = default;
};

// Which requests a rule concerns. Every given condition must hold; an empty
// match matches every request.
struct RuleMatch {
    std::vector<std::string> methods;     // empty = any method; else exact, upper case
    std::optional<std::string> path;      // glob over the path (path_glob.hpp)
    std::optional<std::string> resource;  // exact resource id
    std::optional<HeaderMatch> header;

    bool operator==(const RuleMatch&) const = default;
};

// When a rule fires among the requests it matches. Every given trigger must
// hold; an empty `when` fires on every matching request. Counting is per rule,
// over matching requests that arrive once `after_s` has passed.
struct RuleWhen {
    std::optional<double> probability;         // in [0, 1]
    std::optional<std::uint64_t> nth;          // only the nth counted request (1-based)
    std::optional<std::uint64_t> every;        // counted requests k, 2k, 3k, ...
    std::optional<std::uint64_t> first;        // counted requests 1..n
    std::optional<double> after_s;             // dormant until this long after install
    std::optional<std::uint64_t> max_firings;  // at most this many firings in total

    bool operator==(const RuleWhen&) const = default;
};

// then.delay_ms forms. Samples are clamped to [0, fault_delay_ms_max] and
// rounded to whole milliseconds.
struct FixedDelay {
    double ms = 0;  // "delay_ms": 250

    bool operator==(const FixedDelay&) const = default;
};
struct UniformDelay {
    double min_ms = 0;  // "uniform": {"min": 10, "max": 90}
    double max_ms = 0;

    bool operator==(const UniformDelay&) const = default;
};
struct NormalDelay {
    double mean_ms = 0;  // "normal": {"mean": 100, "stddev": 20}
    double stddev_ms = 0;

    bool operator==(const NormalDelay&) const = default;
};
struct LognormalDelay {
    double median_ms = 0;  // "lognormal": {"median": 50, "sigma": 0.5}
    double sigma = 0;      // of the underlying normal

    bool operator==(const LognormalDelay&) const = default;
};
using DelaySpec = std::variant<FixedDelay, UniformDelay, NormalDelay, LognormalDelay>;

// What a rule does when it fires. At least one action is required.
struct RuleThen {
    std::optional<int> status;                    // 404 409 410 412 428 429 500 502 503 504
    std::optional<std::int64_t> retry_after_s;    // Retry-After: <seconds>; needs status
    std::optional<std::string> retry_after_date;  // Retry-After: <HTTP-date> verbatim; needs status
    std::optional<std::int64_t> retry_after_date_in_s;  // Retry-After: now + s as HTTP-date
    std::optional<nlohmann::json> body;  // response body sent with status; needs status
    std::optional<DelaySpec> delay_ms;
    bool delete_resource = false;
    std::optional<nlohmann::json> foreign_write_merge_patch;  // an object (RFC 7396)
    std::optional<EtagStyle> switch_etag_style;
    std::optional<EtagScheme> switch_etag_scheme;
    std::optional<ConnectionFate> connection;  // reset | close_silently | hang

    bool operator==(const RuleThen&) const = default;
};

struct FaultRule {
    std::string name;         // required, unique, 1-64 of [A-Za-z0-9._-]
    std::string description;  // optional, for people; empty = absent
    RuleMatch match;
    RuleWhen when;
    RuleThen then;

    bool operator==(const FaultRule&) const = default;
};

struct FaultRuleSet {
    std::optional<std::uint64_t> seed;  // reseeds the injector's generator when installed
    std::string description;            // optional, for people; empty = absent
    std::vector<FaultRule> rules;       // evaluated in this order

    bool operator==(const FaultRuleSet&) const = default;
};

// A rule file was rejected. what() is "<path>: <reason>", e.g.
// "rules[2].when.probability: must be a number in [0, 1], got 1.5".
class FaultRuleError : public std::invalid_argument {
  public:
    FaultRuleError(int rule_index, std::string field, std::string reason);

    int rule_index;      // index into "rules", or -1 for the top level
    std::string field;   // path inside the rule ("when.probability"), or top-level key
    std::string reason;  // "must be a number in [0, 1], got 1.5"
};

// Validates the whole document; throws FaultRuleError on the first problem.
FaultRuleSet parse_fault_rules(const nlohmann::json& doc);

// The canonical document: parse_fault_rules(to_json(s)) == s.
nlohmann::json to_json(const FaultRuleSet& set);
nlohmann::json to_json(const FaultRule& rule);

}  // namespace conflictlab::mock
