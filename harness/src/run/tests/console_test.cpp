#include "conflictlab/harness/console.hpp"

#include <gtest/gtest.h>

#include "run_fixtures.hpp"

namespace conflictlab::harness {
namespace {

TEST(Progress, LineShowsFractionCountsAndRate) {
    ProgressSample s;
    s.elapsed_s = 2.0;
    s.completed = 50;
    s.planned = 100;
    s.acknowledged = 40;
    s.failed = 1;
    s.conflicts = 7;
    s.in_flight = 3;
    EXPECT_EQ(render_progress(s, 10),
              "[#####.....]  50%  50/100 ops  20 ack/s  failed 1  conflicts 7  in-flight 3  2.0s");
    EXPECT_EQ(render_progress(s, 0).substr(0, 4), " 50%");
}

TEST(Progress, TimeBoundRunsUseElapsedTime) {
    ProgressSample s;
    s.elapsed_s = 5.0;
    s.duration_s = 10.0;
    s.completed = 7;
    EXPECT_NE(render_progress(s, 0).find(" 50%  7 ops"), std::string::npos);
}

TEST(Summary, ShowsOutcomesPathsCheckerAndVerdict) {
    RunResult r = testing::sample_result();
    ExpectationReport ok;
    ok.result.text = "lost_updates == 0";
    ok.result.passed = true;
    ok.result.measured = 0;
    r.expectations = {ok};
    const std::string s = render_summary(r);
    EXPECT_NE(s.find("Success 1   Resolved 1   Discarded 0   Failed 1"), std::string::npos);
    EXPECT_NE(s.find("refetch>merge>retry"), std::string::npos);
    EXPECT_NE(s.find("checker     clean: 3 ops checked"), std::string::npos);
    EXPECT_NE(s.find("ok   lost_updates == 0 (measured 0)"), std::string::npos);
    EXPECT_NE(s.find("\nPASS\nreproduce: conflictlab run scenarios/quickstart.json --seed 42\n"),
              std::string::npos);
}

TEST(Verdict, ListsFailedExpectationsWithMeasuredValues) {
    RunResult r = testing::sample_result();
    ExpectationReport bad;
    bad.result.text = "outcomes.Failed == 0";
    bad.result.measured = 1;
    r.expectations = {bad};
    EXPECT_EQ(verdict_line(r), "FAIL: outcomes.Failed == 0 (measured 1)");
    r.check.anomalies_total = 2;
    EXPECT_EQ(verdict_line(r),
              "FAIL: outcomes.Failed == 0 (measured 1); checker found 2 anomalies");
}

}  // namespace
}  // namespace conflictlab::harness
