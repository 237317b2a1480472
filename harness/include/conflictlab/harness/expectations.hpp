#pragma once
// Expectations: the CI gate language of scenario files ("expect": [...]).
// Each expression compares one metric of a finished run with a number, with
// another metric, or (`contains`) looks for a name inside it:
//
//   lost_updates == 0
//   success_rate >= 0.99
//   alerts == outcomes.Failed
//   paths contains merge
//   paths["refetch>merge>retry"] >= 1
//
// Grammar (docs/scenarios.md "Expectations"):
//   expression := metric op operand
//   op         := "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains"
//   metric     := name ( "." segment | "[" json-string "]" )*
//   operand    := number | metric            (==, !=, <, <=, >, >=)
//               | true | false | json-string (==, != only)
//               | word | json-string | number (contains: the text to look for)
// Metric paths are dotted paths into the metrics JSON object the runner
// produces. parse_expectation() checks the syntax (and the vocabulary of the
// count maps outcomes.*, reasons.*, server.status.*) so a scenario with a bad
// gate fails before anything runs; evaluate_expectation() never throws: an
// unknown metric is a failed expectation that says so.
//
// Thread-safety: pure functions over values.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace conflictlab::harness {

struct Expectation {
    std::string text;    // the expression as written (trimmed)
    std::string metric;  // left-hand metric path, as written ("outcomes.Failed")
    std::string op;      // "==", "!=", "<", "<=", ">", ">=" or "contains"
    // A number, string or boolean literal; or, when operand_is_metric, the
    // right-hand metric path as a string.
    nlohmann::json operand;
    bool operand_is_metric = false;
};

// Parses one expression. Throws std::invalid_argument whose message names
// the problem (e.g. "unknown operator \"=<\" (allowed: ==, !=, <, <=, >, >=,
// contains)"); the caller adds where the expression came from ("expect[2]").
Expectation parse_expectation(std::string_view text);

// The segments of a metric path: "paths[\"a>b\"].x" -> {"paths", "a>b", "x"}.
// Throws std::invalid_argument for a malformed path.
std::vector<std::string> split_metric_path(std::string_view path);

struct ExpectationResult {
    std::string text;  // the expression
    bool passed = false;
    nlohmann::json measured;   // the metric's value (null when unknown)
    nlohmann::json threshold;  // the operand's value (a metric operand is resolved)
    std::string detail;        // one readable sentence, for reports
};

// Evaluates against the run's metrics. Never throws: an unknown metric, a
// null value or a type mismatch is a failed result whose detail says why.
ExpectationResult evaluate_expectation(const Expectation& expectation,
                                       const nlohmann::json& metrics);

// {"text", "passed", "measured", "threshold", "detail"}.
nlohmann::json to_json(const ExpectationResult& result);

}  // namespace conflictlab::harness
