// End to end in one process: the embedded mock server on an ephemeral
// 127.0.0.1 port, writers through the engine, the checker on both histories.
#include "conflictlab/harness/runner.hpp"

#include <gtest/gtest.h>

#include <set>

namespace conflictlab::harness {
namespace {

Scenario merge_scenario(int writers, int ops) {
    return parse_scenario(R"({
        "name": "runner-test",
        "seed": 7,
        "workload": {"kind": "set-add", "resources": 2, "ops_per_writer": )" +
                              std::to_string(ops) + R"(},
        "writers": )" + std::to_string(writers) +
                              R"(,
        "policy": {"strategy": "merge", "max_attempts": 50,
                   "backoff": {"kind": "full-jitter", "base_ms": 1, "cap_ms": 5}},
        "client": {"threads": 2},
        "expect": ["lost_updates == 0", "outcomes.Failed == 0"]
    })",
                          "runner-test.json");
}

TEST(Runner, ContendedMergeLosesNothingAndPasses) {
    RunOptions options;
    options.scenario_file = "runner-test.json";
    const RunResult r = run_scenario(merge_scenario(8, 5), options);
    EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front());
    EXPECT_EQ(r.total.ops, 40u);
    EXPECT_EQ(r.total.acknowledged, 40u);
    EXPECT_EQ(r.check.lost_updates, 0u);
    EXPECT_EQ(r.check.ops_checked, 40u);
    EXPECT_TRUE(r.check.clean());
    EXPECT_TRUE(r.passed());
    EXPECT_EQ(r.seed, 7u);
    EXPECT_EQ(r.reproduce, "conflictlab run runner-test.json --seed 7");
    // Each op made at least its GET and one write.
    EXPECT_GE(r.total.http_calls, 80u);
    EXPECT_GT(r.total.latency.count, 0u);
    EXPECT_TRUE(r.server_stats.is_object());
    EXPECT_NE(r.target.find("embedded http://127.0.0.1:"), std::string::npos);
}

TEST(Runner, SeedOverrideAndDeterministicOps) {
    RunOptions options;
    options.seed = 99;
    const RunResult a = run_scenario(merge_scenario(3, 4), options);
    const RunResult b = run_scenario(merge_scenario(3, 4), options);
    EXPECT_EQ(a.seed, 99u);
    EXPECT_EQ(a.total.ops, 12u);
    EXPECT_EQ(a.total.ops, b.total.ops);
    EXPECT_TRUE(a.passed());
}

TEST(Runner, BadServerOptionsNameTheField) {
    Scenario s = merge_scenario(1, 1);
    s.target.server = {{"conflict_status", 499}};
    try {
        run_scenario(s, RunOptions{});
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("target.server.conflict_status"), std::string::npos)
            << e.what();
    }
}

TEST(ReproduceCommand, QuotesWhatTheShellWouldSplit) {
    EXPECT_EQ(reproduce_command("a b.json", 3, ""), "conflictlab run 'a b.json' --seed 3");
    EXPECT_EQ(reproduce_command("s.json", 3, "--target http://127.0.0.1:9"),
              "conflictlab run s.json --seed 3 --target http://127.0.0.1:9");
}

}  // namespace
}  // namespace conflictlab::harness
