// Expectation syntax: "<metric> <op> <operand>" (expectations.hpp, docs/scenarios.md
// "Expectations"). Malformed expressions fail with a message that names the
// problem; the scenario parser adds "expect[i]".

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "conflictlab/harness/expectations.hpp"

namespace conflictlab::harness {
namespace {

using nlohmann::json;

std::string error_of(std::string_view text) {
    try {
        parse_expectation(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "<no error>";
}

TEST(ExpectationParse, EveryOperator) {
    for (const char* op : {"==", "!=", "<", "<=", ">", ">="}) {
        Expectation e = parse_expectation(std::string("p99_ms ") + op + " 250");
        EXPECT_EQ(e.metric, "p99_ms");
        EXPECT_EQ(e.op, op);
        EXPECT_EQ(e.operand, 250);
        EXPECT_FALSE(e.operand_is_metric);
    }
    Expectation c = parse_expectation("paths contains merge");
    EXPECT_EQ(c.op, "contains");
    EXPECT_EQ(c.operand, "merge");
    EXPECT_FALSE(c.operand_is_metric);  // a word to look for, never a metric
}

TEST(ExpectationParse, SpacesAroundOperatorAreOptional) {
    Expectation e = parse_expectation("lost_updates==0");
    EXPECT_EQ(e.metric, "lost_updates");
    EXPECT_EQ(e.op, "==");
    EXPECT_EQ(e.operand, 0);
    Expectation n = parse_expectation("  delta>=-1.5e2  ");
    EXPECT_EQ(n.text, "delta>=-1.5e2");
    EXPECT_EQ(n.op, ">=");
    EXPECT_EQ(n.operand, -150.0);
}

TEST(ExpectationParse, NumbersKeepIntegerOrFloat) {
    EXPECT_TRUE(parse_expectation("ops == 12").operand.is_number_integer());
    EXPECT_TRUE(parse_expectation("success_rate >= 0.99").operand.is_number_float());
}

TEST(ExpectationParse, MetricAgainstMetric) {
    Expectation e = parse_expectation("alerts == outcomes.Failed");
    EXPECT_EQ(e.metric, "alerts");
    EXPECT_TRUE(e.operand_is_metric);
    EXPECT_EQ(e.operand, "outcomes.Failed");
}

TEST(ExpectationParse, DottedAndBracketedPaths) {
    Expectation e = parse_expectation(R"(paths["refetch>merge>retry"] >= 1)");
    EXPECT_EQ(e.metric, R"(paths["refetch>merge>retry"])");
    EXPECT_EQ(split_metric_path(e.metric),
              (std::vector<std::string>{"paths", "refetch>merge>retry"}));
    EXPECT_EQ(split_metric_path("server.status.409"),
              (std::vector<std::string>{"server", "status", "409"}));
    EXPECT_EQ(split_metric_path("reasons.irreconcilable-merge"),
              (std::vector<std::string>{"reasons", "irreconcilable-merge"}));
    EXPECT_EQ(split_metric_path(R"(groups["a b"].p99_ms)"),
              (std::vector<std::string>{"groups", "a b", "p99_ms"}));
}

TEST(ExpectationParse, LiteralsForEquality) {
    Expectation b = parse_expectation("checker.clean == true");
    EXPECT_EQ(b.operand, true);
    EXPECT_FALSE(b.operand_is_metric);
    Expectation s = parse_expectation(R"(mode != "sim")");
    EXPECT_EQ(s.operand, "sim");
    EXPECT_FALSE(s.operand_is_metric);
}

TEST(ExpectationParse, ContainsOperands) {
    EXPECT_EQ(parse_expectation(R"(paths contains "refetch>merge")").operand, "refetch>merge");
    EXPECT_EQ(parse_expectation("paths contains refetch>merge").operand, "refetch>merge");
    EXPECT_EQ(parse_expectation("server.statuses contains 409").operand, 409);
}

TEST(ExpectationParse, CountMapNamesAreChecked) {
    EXPECT_NO_THROW(parse_expectation("outcomes.Failed <= 3"));
    EXPECT_NO_THROW(parse_expectation("outcomes.failed <= 3"));
    EXPECT_NO_THROW(parse_expectation("reasons.persistent-conflict == 0"));
    EXPECT_NO_THROW(parse_expectation("groups.lww.reasons.deleted == 0"));
    EXPECT_NO_THROW(parse_expectation("server.status.412 > 0"));
    EXPECT_EQ(error_of("outcomes.Faild <= 3"),
              R"(metric "outcomes.Faild": unknown outcome "Faild" (allowed: Success, Resolved, )"
              R"(Discarded, Failed))");
    EXPECT_EQ(error_of("groups.a.reasons.timeout == 0"),
              R"(metric "groups.a.reasons.timeout": unknown failure reason "timeout" (allowed: )"
              "none, persistent-conflict, deleted, irreconcilable-merge, weak-etag-only, "
              "missing-token, invalid-body, precondition-required, non-retryable-4xx, "
              "unexpected-status, exhausted-transient, timeout-indeterminate, deadline-exceeded)");
    EXPECT_EQ(error_of("alerts == server.status.4xx"),
              R"(metric "server.status.4xx": expected an HTTP status code 100..599 after )"
              R"(server.status (got "4xx"))");
}

struct Malformed {
    const char* text;
    const char* message;
};

class ExpectationMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(ExpectationMalformed, NamesTheProblem) {
    EXPECT_EQ(error_of(GetParam().text), GetParam().message) << GetParam().text;
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(Messages, ExpectationMalformed, ::testing::Values(
    Malformed{"", R"(empty expression (expected <metric> <op> <operand>, e.g. "lost_updates == 0"))"},
    Malformed{"   ", R"(empty expression (expected <metric> <op> <operand>, e.g. "lost_updates == 0"))"},
    Malformed{"lost_updates", R"(missing operator after "lost_updates" (allowed: ==, !=, <, <=, >, >=, contains))"},
    Malformed{"lost_updates = 0", R"(unknown operator "=" (did you mean ==?) (allowed: ==, !=, <, <=, >, >=, contains))"},
    Malformed{"p99_ms =< 250", R"(unknown operator "=<" (allowed: ==, !=, <, <=, >, >=, contains))"},
    Malformed{"paths has merge", R"(unknown operator "has" (allowed: ==, !=, <, <=, >, >=, contains))"},
    Malformed{"lost_updates ==", R"(missing operand after "==")"},
    Malformed{"paths contains   ", R"(missing operand after "contains")"},
    Malformed{"0 == lost_updates", R"(expected a metric name first (e.g. "lost_updates == 0"), got "0")"},
    Malformed{"p99_ms <= 250ms", R"(not a number: "250ms")"},
    Malformed{"lost_updates == 0 1", R"(unexpected text after the operand: "1")"},
    Malformed{"lost_updates == 0 && ops > 1", R"(unexpected text after the operand: "&& ops > 1")"},
    Malformed{"p99_ms <= \"fast\"", R"(operator "<=" needs a number or a metric on the right (got "fast"))"},
    Malformed{"p99_ms > true", R"(operator ">" needs a number or a metric on the right (got true))"},
    Malformed{"outcomes. == 1", R"(metric "outcomes.": expected a name after "." (letters, digits, _ and -))"},
    Malformed{"paths[merge] == 1", R"(metric "paths[": expected a quoted name after "[" (e.g. paths["refetch>merge"]))"},
    Malformed{"paths[\"merge\" == 1", R"(metric "paths[\"merge\"": expected "]" after the quoted name)"},
    Malformed{"paths[\"merge == 1", R"(unterminated quoted name in metric: "merge == 1)"},
    Malformed{"paths contains \"\"", R"(contains needs something to look for (got an empty string))"},
    Malformed{"lost_updates == @", R"(expected a number or a metric after "==", got "@")"}
));
// clang-format on

TEST(ExpectationParse, LengthIsBounded) {
    std::string long_text = "a" + std::string(600, 'b') + " == 1";
    EXPECT_EQ(error_of(long_text), "expression longer than 500 characters");
}

TEST(ExpectationParse, SplitMetricPathRejectsTrailingText) {
    EXPECT_THROW(split_metric_path("a.b c"), std::invalid_argument);
    EXPECT_THROW(split_metric_path("1a"), std::invalid_argument);
}

}  // namespace
}  // namespace conflictlab::harness
