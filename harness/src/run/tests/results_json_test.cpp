#include <gtest/gtest.h>

#include "conflictlab/harness/results.hpp"
#include "run_fixtures.hpp"

namespace conflictlab::harness {
namespace {

using testing::op;
using testing::sample_result;

TEST(GroupMetrics, RatiosFollowTheirDefinitions) {
    const RunResult r = sample_result();
    EXPECT_EQ(r.total.ops, 3u);
    EXPECT_EQ(r.total.acknowledged, 2u);
    EXPECT_EQ(r.total.attempts, 3u);
    EXPECT_EQ(r.total.http_calls, 3u);  // one harness GET each; no engine steps recorded
    EXPECT_DOUBLE_EQ(r.total.goodput_per_s, 1.0);
    EXPECT_DOUBLE_EQ(r.total.calls_per_success, 1.5);
    EXPECT_EQ(r.total.retries_exhausted, 1u);
    EXPECT_EQ(r.total.alerts, 1u);
    EXPECT_EQ(r.total.outcomes.at("discarded"), 0u);
    EXPECT_NEAR(r.total.latency.p50_ms, 2.0, 0.02);
}

TEST(GroupMetrics, EngineRequestsCountAsCallsButSleepsDoNot) {
    OpRecord o = op("w0-0", engine::OutcomeKind::resolved, "refetch>merge>retry");
    for (const char* step : {"write", "sleep", "fetch", "write"}) {
        engine::StepTiming t;
        t.step = step;
        o.outcome.steps.push_back(t);
    }
    GroupAccumulator acc("g");
    acc.add(o, 1);
    EXPECT_EQ(acc.finish(1.0).http_calls, 4u);
}

TEST(MetricsJson, NamesMatchTheExpectationVocabulary) {
    RunResult r = sample_result();
    r.check.lost_updates = 2;
    r.check.anomalies_total = 2;
    const nlohmann::json m = metrics_json(r);
    EXPECT_EQ(m["outcomes"]["Failed"], 1);
    EXPECT_EQ(m["outcomes"]["Success"], 1);
    EXPECT_EQ(m["paths"]["refetch>merge>retry"], 2);
    EXPECT_EQ(m["reasons"]["persistent-conflict"], 1);
    EXPECT_EQ(m["lost_updates"], 2);
    EXPECT_EQ(m["anomalies"], 2);
    EXPECT_EQ(m["server"]["status"]["412"], 3);
    EXPECT_EQ(m["server"]["faults_fired"], 3);
    EXPECT_EQ(m["server"]["requests"], 9);
    EXPECT_EQ(m["groups"]["default"]["outcomes"]["Resolved"], 1);
    EXPECT_TRUE(m.contains("p99_ms"));
    EXPECT_DOUBLE_EQ(m["success_rate"].get<double>(), 0.667);
}

TEST(ResultsJson, CarriesSeedReproduceAndVerdict) {
    const RunResult r = sample_result();
    const nlohmann::json j = to_json(r);
    EXPECT_EQ(j["seed"], 42);
    EXPECT_EQ(j["reproduce"], "conflictlab run scenarios/quickstart.json --seed 42");
    EXPECT_EQ(j["passed"], true);
    EXPECT_EQ(j["format"], "conflictlab-results/1");
    EXPECT_TRUE(j["checker"]["passed"].get<bool>());
    EXPECT_TRUE(j.contains("time_series"));
}

TEST(RunVerdict, AnomaliesFailARunUnlessExpected) {
    RunResult r = sample_result();
    r.check.anomalies_total = 1;
    EXPECT_FALSE(r.passed());
    r.anomalies_expected = true;
    EXPECT_TRUE(r.passed());
    r.errors.push_back("server history unavailable");
    EXPECT_FALSE(r.passed());
}

TEST(EvaluateExpectations, FailedOutcomeGateNamesTheFailedOps) {
    RunResult r = sample_result();
    const std::vector<OpRecord> ops = {
        op("w0-0", engine::OutcomeKind::success, "direct"),
        op("w2-0", engine::OutcomeKind::failed, "refetch>merge>retry",
           engine::FailureReason::persistent_conflict)};
    evaluate_expectations(r, {"outcomes.Failed == 0", "alerts == outcomes.Failed"}, ops);
    ASSERT_EQ(r.expectations.size(), 2u);
    EXPECT_FALSE(r.expectations[0].result.passed);
    EXPECT_EQ(r.expectations[0].result.measured, 1);
    EXPECT_EQ(r.expectations[0].op_ids, std::vector<std::string>{"w2-0"});
    EXPECT_TRUE(r.expectations[1].result.passed);
    EXPECT_FALSE(r.passed());
}

TEST(EvaluateExpectations, LostUpdateGateNamesTheAnomalyOps) {
    RunResult r = sample_result();
    r.check.lost_updates = 1;
    r.check.anomalies_total = 1;
    r.check.anomalies.push_back({"lost-update", "r-0", {"w3-1"}, {}, "missing"});
    evaluate_expectations(r, {"lost_updates == 0"}, {});
    EXPECT_FALSE(r.expectations[0].result.passed);
    EXPECT_EQ(r.expectations[0].op_ids, std::vector<std::string>{"w3-1"});
    EXPECT_FALSE(r.anomalies_expected);
}

TEST(EvaluateExpectations, AGateAskingForLostUpdatesMakesThemExpected) {
    RunResult r = sample_result();
    r.check.lost_updates = 4;
    r.check.anomalies_total = 4;
    evaluate_expectations(r, {"lost_updates > 0"}, {});
    EXPECT_TRUE(r.expectations[0].result.passed);
    EXPECT_TRUE(r.anomalies_expected);
    EXPECT_TRUE(r.passed());
}

}  // namespace
}  // namespace conflictlab::harness
