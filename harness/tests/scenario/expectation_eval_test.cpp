// Expectation evaluation against a run's metrics JSON: the CI gate. A gate
// that cannot fail proves nothing, so each operator is shown to both pass
// and fail; unknown metrics fail with a detail that says so.

#include <string>

#include <gtest/gtest.h>

#include "conflictlab/harness/expectations.hpp"

namespace conflictlab::harness {
namespace {

using nlohmann::json;

const json kMetrics = json::parse(R"({
    "lost_updates": 0,
    "success_rate": 0.99,
    "p99_ms": 240.5,
    "goodput_per_s": 1234.5,
    "alerts": 2,
    "ops": 300,
    "writers": 10,
    "outcomes": {"Success": 250, "Resolved": 45, "Discarded": 3, "Failed": 2},
    "paths": {"direct": 250, "refetch>merge>retry": 40, "refetch>overwrite>retry": 5,
              "refetch>merge-abandoned": 0},
    "reasons": {"persistent-conflict": 2},
    "server": {"status": {"200": 295, "412": 60}},
    "checker": {"linearity_violations": 0, "clean": true,
                "anomalies": [{"kind": "lost-update"}]},
    "notes": ["weak ETag seen", "Retry-After capped"],
    "mode": "sim",
    "p50_ms": null,
    "big": 9007199254740993,
    "big_neighbour": 9007199254740992
})");

ExpectationResult eval(std::string_view text, const json& metrics = kMetrics) {
    return evaluate_expectation(parse_expectation(text), metrics);
}

TEST(ExpectationEval, EachOperatorPassesAndFails) {
    struct Case {
        const char* text;
        bool passed;
    };
    for (const Case& c : {Case{"lost_updates == 0", true}, Case{"lost_updates == 1", false},
                          Case{"lost_updates != 1", true}, Case{"lost_updates != 0", false},
                          Case{"p99_ms < 250", true}, Case{"p99_ms < 240.5", false},
                          Case{"p99_ms <= 240.5", true}, Case{"p99_ms <= 240", false},
                          Case{"goodput_per_s > 100", true}, Case{"goodput_per_s > 1234.5", false},
                          Case{"goodput_per_s >= 1234.5", true}, Case{"ops >= 301", false}}) {
        EXPECT_EQ(eval(c.text).passed, c.passed) << c.text;
    }
}

TEST(ExpectationEval, ReportsMeasuredThresholdAndDetail) {
    auto r = eval("p99_ms <= 200");
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.text, "p99_ms <= 200");
    EXPECT_EQ(r.measured, 240.5);
    EXPECT_EQ(r.threshold, 200);
    EXPECT_EQ(r.detail, "p99_ms is 240.5, expected <= 200");
    EXPECT_EQ(to_json(r), json::parse(R"({"text": "p99_ms <= 200", "passed": false,
        "measured": 240.5, "threshold": 200, "detail": "p99_ms is 240.5, expected <= 200"})"));
}

TEST(ExpectationEval, MetricAgainstMetric) {
    auto r = eval("alerts == outcomes.Failed");
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.measured, 2);
    EXPECT_EQ(r.threshold, 2);
    EXPECT_EQ(r.detail, "alerts is 2, expected == outcomes.Failed (2)");
    EXPECT_FALSE(eval("outcomes.Resolved < outcomes.Failed").passed);
    EXPECT_TRUE(eval("ops > writers").passed);
}

TEST(ExpectationEval, UnknownMetricFails) {
    auto r = eval("lost_update == 0");
    EXPECT_FALSE(r.passed);
    EXPECT_TRUE(r.measured.is_null());
    EXPECT_EQ(r.detail.rfind("unknown metric \"lost_update\" (the metrics have ", 0), 0u)
        << r.detail;

    auto nested = eval("checker.linearity == 0");
    EXPECT_FALSE(nested.passed);
    EXPECT_EQ(nested.detail,
              "unknown metric \"checker.linearity\" (checker has anomalies, clean, "
              "linearity_violations)")
        << nested.detail;

    auto operand = eval("alerts == retries_exhausted");
    EXPECT_FALSE(operand.passed);
    EXPECT_EQ(operand.detail.rfind("unknown metric \"retries_exhausted\"", 0), 0u);

    auto through_scalar = eval("ops.total == 3");
    EXPECT_FALSE(through_scalar.passed);
    EXPECT_EQ(through_scalar.detail,
              "unknown metric \"ops.total\" (ops is number, it has no \"total\")");
}

TEST(ExpectationEval, AbsentCountMapEntriesReadAsZero) {
    // A count map lists what happened; "reasons.deleted == 0" must pass when
    // nothing was deleted, and fail when the map says otherwise.
    auto r = eval("reasons.deleted == 0");
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.measured, 0);
    EXPECT_EQ(r.detail, "reasons.deleted is 0 (absent), expected == 0");
    EXPECT_FALSE(eval("reasons.persistent-conflict == 0").passed);
    EXPECT_TRUE(eval("server.status.409 == 0").passed);
    EXPECT_TRUE(eval("server.status.412 == 60").passed);
    EXPECT_TRUE(eval(R"(paths["refetch>overwrite>retry"] == 5)").passed);
    // ...but only inside a count map that exists.
    EXPECT_FALSE(eval("reasons.deleted == 0", json::parse(R"({"ops": 1})")).passed);
}

TEST(ExpectationEval, OutcomeNamesMatchWithoutCase) {
    EXPECT_TRUE(eval("outcomes.failed == 2").passed);
    EXPECT_TRUE(eval("outcomes.DISCARDED == 3").passed);
}

TEST(ExpectationEval, FloatComparisonsTolerateRounding) {
    // 297/300 is not exactly the double nearest 0.99.
    json m = {{"success_rate", 297.0 / 300.0}, {"sum", 0.1 + 0.2}};
    EXPECT_TRUE(eval("success_rate >= 0.99", m).passed);
    EXPECT_TRUE(eval("success_rate == 0.99", m).passed);
    EXPECT_TRUE(eval("sum == 0.3", m).passed);
    EXPECT_FALSE(eval("sum != 0.3", m).passed);
    EXPECT_FALSE(eval("sum < 0.3", m).passed);
    EXPECT_FALSE(eval("success_rate >= 0.991", m).passed);
    EXPECT_TRUE(eval("success_rate >= 0.98999", m).passed);
}

TEST(ExpectationEval, IntegersCompareExactly) {
    // 2^53 + 1 and 2^53 are the same double; as integers they differ.
    EXPECT_FALSE(eval("big == big_neighbour").passed);
    EXPECT_TRUE(eval("big > big_neighbour").passed);
    EXPECT_TRUE(eval("lost_updates > -1").passed);
    EXPECT_FALSE(eval("lost_updates < -1").passed);
}

TEST(ExpectationEval, ContainsOnObjectKeys) {
    auto r = eval("paths contains merge");
    EXPECT_TRUE(r.passed);
    // Keys whose count is 0 do not count as present.
    EXPECT_EQ(r.measured, json::parse(R"(["refetch>merge>retry"])"));
    EXPECT_EQ(r.detail, R"(paths has ["refetch>merge>retry"], containing "merge")");

    auto none = eval("paths contains recreate");
    EXPECT_FALSE(none.passed);
    EXPECT_EQ(none.measured, json::array());
    EXPECT_EQ(none.detail,
              "no key of paths contains \"recreate\" (keys: direct, refetch>merge-abandoned, "
              "refetch>merge>retry, refetch>overwrite>retry)");
    EXPECT_FALSE(eval("paths contains abandoned").passed);
}

TEST(ExpectationEval, ContainsOnArraysAndStrings) {
    EXPECT_TRUE(eval("notes contains weak").passed);
    EXPECT_FALSE(eval("notes contains strong").passed);
    json m = {{"statuses", {200, 412, 409}}};
    EXPECT_TRUE(eval("statuses contains 409", m).passed);
    EXPECT_FALSE(eval("statuses contains 428", m).passed);
    EXPECT_TRUE(eval("mode contains si").passed);
    EXPECT_FALSE(eval("mode contains real").passed);
}

TEST(ExpectationEval, ContainsOnANumberFails) {
    auto r = eval("ops contains 3");
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.detail, "contains needs an object, array or string, but ops is number 300");
}

TEST(ExpectationEval, NullAndTypeMismatchFail) {
    auto null_metric = eval("p50_ms <= 100");
    EXPECT_FALSE(null_metric.passed);
    EXPECT_EQ(null_metric.detail, "p50_ms has no value (null), expected <= 100");

    auto ordering_on_string = eval("mode > 3");
    EXPECT_FALSE(ordering_on_string.passed);
    EXPECT_EQ(ordering_on_string.detail,
              "mode is \"sim\", expected > 3, but > compares numbers only");

    EXPECT_TRUE(eval("checker.clean == true").passed);
    EXPECT_FALSE(eval("checker.clean != true").passed);
    EXPECT_TRUE(eval(R"(mode == "sim")").passed);
    EXPECT_FALSE(eval("mode == 1").passed);
}

TEST(ExpectationEval, ArrayElementsByIndex) {
    EXPECT_TRUE(eval(R"(checker.anomalies.0.kind == "lost-update")").passed);
    EXPECT_FALSE(eval(R"(checker.anomalies.1.kind == "lost-update")").passed);
}

}  // namespace
}  // namespace conflictlab::harness
