#include "conflictlab/harness/sweep.hpp"

#include <gtest/gtest.h>

namespace conflictlab::harness {
namespace {

Scenario two_groups() {
    return parse_scenario(R"({
        "name": "sweep-test",
        "groups": [{"name": "a", "writers": 30, "policy": {"strategy": "merge"}},
                   {"name": "b", "writers": 10}]
    })",
                          "sweep-test.json");
}

TEST(ParseVary, SplitsKeyAndValues) {
    const VaryAxis a = parse_vary("backoff=full-jitter, equal-jitter,none");
    EXPECT_EQ(a.key, "backoff");
    EXPECT_EQ(a.values, (std::vector<std::string>{"full-jitter", "equal-jitter", "none"}));
    EXPECT_THROW(parse_vary("backoff"), std::invalid_argument);
    EXPECT_THROW(parse_vary("backoff=a,,b"), std::invalid_argument);
}

TEST(ExpandGrid, CartesianProductFirstAxisSlowest) {
    const auto grid = expand_grid({parse_vary("x=1,2"), parse_vary("y=a,b,c")});
    ASSERT_EQ(grid.size(), 6u);
    EXPECT_EQ(grid[0], (Setting{{"x", "1"}, {"y", "a"}}));
    EXPECT_EQ(grid[5], (Setting{{"x", "2"}, {"y", "c"}}));
    EXPECT_THROW(expand_grid({parse_vary("x=1,2,3"), parse_vary("y=1,2")}, 5),
                 std::invalid_argument);
}

TEST(ApplySetting, BackoffKindAndPresetApplyToEveryGroup) {
    const Scenario s = apply_setting(two_groups(), {{"backoff", "equal-jitter"}});
    for (const auto& g : s.groups)
        EXPECT_EQ(g.policy.backoff.kind, engine::BackoffKind::equal_jitter);
    const Scenario p = apply_setting(two_groups(), {{"backoff", "k8s-client-go"}});
    EXPECT_EQ(p.groups[1].policy.max_attempts, 5);
    EXPECT_THROW(apply_setting(two_groups(), {{"backoff", "fast"}}), std::invalid_argument);
}

TEST(ApplySetting, WritersScaleAcrossGroupsInProportion) {
    const Scenario s = apply_setting(two_groups(), {{"writers", "8"}});
    EXPECT_EQ(s.groups[0].writers, 6);
    EXPECT_EQ(s.groups[1].writers, 2);
    EXPECT_EQ(s.total_writers(), 8);
    EXPECT_THROW(apply_setting(two_groups(), {{"writers", "1"}}), std::invalid_argument);
    EXPECT_THROW(apply_setting(two_groups(), {{"writers", "lots"}}), std::invalid_argument);
}

TEST(ApplySetting, NamedAndGenericPolicyFields) {
    const Scenario s = apply_setting(two_groups(), {{"max_attempts", "9"},
                                                    {"strategy", "overwrite"},
                                                    {"base_ms", "3"},
                                                    {"cap_ms", "40"},
                                                    {"policy.retry_after_cap_ms", "1234"}});
    for (const auto& g : s.groups) {
        EXPECT_EQ(g.policy.max_attempts, 9);
        EXPECT_EQ(g.policy.strategy, engine::Strategy::overwrite);
        EXPECT_EQ(g.policy.backoff.base_ms, 3);
        EXPECT_EQ(g.policy.backoff.cap_ms, 40);
        EXPECT_EQ(g.policy.retry_after_cap_ms, 1234);
    }
    EXPECT_THROW(apply_setting(two_groups(), {{"policy.max_attempts", "0"}}),
                 std::invalid_argument);
    EXPECT_THROW(apply_setting(two_groups(), {{"colour", "red"}}), std::invalid_argument);
}

TEST(ApplySetting, WorkloadFieldsAreValidatedByTheScenarioParser) {
    const Scenario s =
        apply_setting(two_groups(), {{"resources", "12"}, {"workload.patch_fraction", "0.5"}});
    EXPECT_EQ(s.workload.resources, 12);
    EXPECT_DOUBLE_EQ(s.workload.patch_fraction, 0.5);
    const Scenario d = apply_setting(two_groups(), {{"workload.duration_s", "2"}});
    EXPECT_FALSE(d.workload.ops_per_writer.has_value());
    EXPECT_THROW(apply_setting(two_groups(), {{"workload.patch_fraction", "2"}}),
                 std::invalid_argument);
}

TEST(SweepTable, OneRowPerRunWithSettingColumns) {
    const std::vector<VaryAxis> axes = {parse_vary("backoff=none,full-jitter")};
    std::vector<SweepRow> rows(2);
    rows[0].setting = {{"backoff", "none"}};
    rows[1].setting = {{"backoff", "full-jitter"}};
    rows[1].result.total.goodput_per_s = 1234.5;
    const std::string table = render_sweep_table(axes, rows);
    EXPECT_EQ(table.substr(0, table.find('\n')),
              "backoff      goodput/s  calls/success  p99 ms  Failed  lost  verdict");
    EXPECT_NE(table.find("full-jitter     1234.5"), std::string::npos);
    const std::string csv = render_sweep_csv(axes, rows);
    EXPECT_EQ(csv.substr(0, 13), "backoff,seed,");
    EXPECT_NE(csv.find("\nfull-jitter,0,1234.500,"), std::string::npos);
    const auto j = sweep_json("s.json", axes, rows);
    EXPECT_EQ(j["runs"].size(), 2u);
    EXPECT_EQ(j["runs"][1]["setting"]["backoff"], "full-jitter");
}

}  // namespace
}  // namespace conflictlab::harness
