// Scenario parsing: defaults, comments, the one-group shorthand, writer
// groups with policies, expectations parsed up front, the to_json round
// trip, and reading files.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness {
namespace {

using nlohmann::json;

TEST(ScenarioDefaults, MinimalShorthandFillsEveryDefault) {
    Scenario s = parse_scenario(R"({"name": "minimal", "writers": 3})", "minimal.json");
    EXPECT_EQ(s.name, "minimal");
    EXPECT_EQ(s.description, "");
    EXPECT_EQ(s.seed, 1u);
    EXPECT_EQ(s.mode, RunMode::real);
    EXPECT_EQ(s.target.kind, TargetKind::embedded);
    EXPECT_EQ(s.target.server, json::object());
    EXPECT_EQ(s.target.server_threads, 1);
    EXPECT_EQ(s.workload.kind, WorkloadKind::set_add);
    EXPECT_EQ(s.workload.resources, 1);
    EXPECT_EQ(s.workload.resource_prefix, "r-");
    EXPECT_EQ(s.workload.keys.distribution, KeyDistribution::uniform);
    EXPECT_EQ(s.workload.ops_per_writer, 10);
    EXPECT_FALSE(s.workload.duration_s.has_value());
    EXPECT_EQ(s.workload.patch_fraction, 0.0);
    EXPECT_EQ(s.workload.timestamp_skew_ms, 0);
    EXPECT_EQ(s.workload.think_time_ms, 0);
    EXPECT_FALSE(s.workload.simultaneous_pairs);
    EXPECT_EQ(s.workload.read_before_write, ReadBeforeWrite::always);
    ASSERT_EQ(s.groups.size(), 1u);
    EXPECT_EQ(s.groups[0].name, "default");
    EXPECT_EQ(s.groups[0].writers, 3);
    EXPECT_EQ(s.groups[0].policy, engine::Policy{});
    EXPECT_EQ(s.client.threads, 1);
    EXPECT_EQ(s.client.max_connections, 256);
    EXPECT_TRUE(s.expect.empty());
    EXPECT_TRUE(s.expectations.empty());
    EXPECT_EQ(s.sim, json::object());
    EXPECT_EQ(s.total_writers(), 3);
}

TEST(ScenarioWorkload, OwnedKeysAndKnownStatesParseAndRoundTrip) {
    const Scenario s = parse_scenario(
        R"({"name": "own", "writers": 4, "workload": {"resources": 8,
            "keys": {"distribution": "owned"}, "read_before_write": "unless-known"}})",
        "own.json");
    EXPECT_EQ(s.workload.keys.distribution, KeyDistribution::owned);
    EXPECT_EQ(s.workload.read_before_write, ReadBeforeWrite::unless_known);
    const json config = to_json(s);
    EXPECT_EQ(config["workload"]["keys"]["distribution"], "owned");
    EXPECT_EQ(config["workload"]["read_before_write"], "unless-known");
}

TEST(ScenarioDefaults, PolicyOnlyShorthandHasOneWriter) {
    Scenario s = parse_scenario(R"({"name": "p", "policy": {"strategy": "merge"}})", "p.json");
    ASSERT_EQ(s.groups.size(), 1u);
    EXPECT_EQ(s.groups[0].writers, 1);
    EXPECT_EQ(s.groups[0].policy.strategy, engine::Strategy::merge);
}

TEST(ScenarioDefaults, DurationReplacesOpsPerWriter) {
    Scenario s =
        parse_scenario(R"({"name": "d", "writers": 1, "workload": {"duration_s": 2.5}})", "d.json");
    EXPECT_FALSE(s.workload.ops_per_writer.has_value());
    EXPECT_EQ(s.workload.duration_s, 2.5);
}

TEST(ScenarioComments, LineAndBlockCommentsAreAccepted) {
    Scenario s = parse_scenario(R"(
        // A scenario with comments everywhere.
        {
            "name": "commented", /* inline block */
            "writers": 2, // trailing
            /* a block
               over lines */
            "seed": 7
        }
    )",
                                "c.json");
    EXPECT_EQ(s.name, "commented");
    EXPECT_EQ(s.seed, 7u);
    EXPECT_EQ(s.source, json::parse(R"({"name": "commented", "writers": 2, "seed": 7})"));
}

TEST(ScenarioGroups, EachGroupHasItsOwnPolicy) {
    Scenario s = parse_scenario(R"({
        "name": "compare",
        "groups": [
            {"name": "lww", "writers": 4, "policy": {"strategy": "overwrite"}},
            {"name": "merge", "writers": 6,
             "policy": {"strategy": "merge", "max_attempts": 7,
                        "backoff": {"kind": "decorrelated-jitter", "base_ms": 5, "cap_ms": 500}}}
        ]
    })",
                                "compare.json");
    ASSERT_EQ(s.groups.size(), 2u);
    EXPECT_EQ(s.groups[0].name, "lww");
    EXPECT_EQ(s.groups[0].policy.strategy, engine::Strategy::overwrite);
    EXPECT_EQ(s.groups[1].name, "merge");
    EXPECT_EQ(s.groups[1].policy.strategy, engine::Strategy::merge);
    EXPECT_EQ(s.groups[1].policy.max_attempts, 7);
    EXPECT_EQ(s.groups[1].policy.backoff.kind, engine::BackoffKind::decorrelated_jitter);
    EXPECT_EQ(s.groups[1].policy.backoff.cap_ms, 500);
    EXPECT_EQ(s.total_writers(), 10);
}

TEST(ScenarioGroups, SingleGroupNameDefaults) {
    Scenario s = parse_scenario(R"({"name": "g", "groups": [{"writers": 2}]})", "g.json");
    EXPECT_EQ(s.groups[0].name, "default");
}

TEST(ScenarioExpectations, ParsedUpFrontInOrder) {
    Scenario s = parse_scenario(R"({"name": "e", "writers": 1,
        "expect": ["lost_updates == 0", "  success_rate >= 0.99 ", "paths contains merge"]})",
                                "e.json");
    ASSERT_EQ(s.expectations.size(), 3u);
    EXPECT_EQ(s.expect, (std::vector<std::string>{"lost_updates == 0", "success_rate >= 0.99",
                                                  "paths contains merge"}));
    EXPECT_EQ(s.expectations[1].metric, "success_rate");
    EXPECT_EQ(s.expectations[1].op, ">=");
    EXPECT_EQ(s.expectations[1].operand, 0.99);
    EXPECT_EQ(s.expectations[2].op, "contains");
}

TEST(ScenarioTarget, ExternalWithSecretReferences) {
    Scenario s = parse_scenario(R"({"name": "x", "writers": 1,
        "target": {"kind": "external", "url": "https://[::1]:8443/api/",
                   "token": "env:API_TOKEN", "admin_token": "file:/run/secrets/admin",
                   "ca_file": "ca.pem", "insecure_skip_verify": true}})",
                                "x.json");
    EXPECT_EQ(s.target.kind, TargetKind::external);
    EXPECT_EQ(s.target.url, "https://[::1]:8443/api/");
    EXPECT_EQ(s.target.token, "env:API_TOKEN");
    EXPECT_EQ(s.target.admin_token, "file:/run/secrets/admin");
    EXPECT_EQ(s.target.ca_file, "ca.pem");
    EXPECT_TRUE(s.target.insecure_skip_verify);
}

TEST(ScenarioTarget, EmbeddedServerOptionsPassThrough) {
    Scenario s = parse_scenario(R"({"name": "x", "writers": 1,
        "target": {"server": {"faults": [{"when": "PUT", "status": 503, "probability": 0.1}],
                              "weak_etags": true},
                   "server_threads": 2}})",
                                "x.json");
    EXPECT_EQ(s.target.server["faults"][0]["status"], 503);
    EXPECT_EQ(s.target.server["weak_etags"], true);
    EXPECT_EQ(s.target.server_threads, 2);
}

TEST(ScenarioSim, SimObjectPassesThrough) {
    Scenario s = parse_scenario(
        R"({"name": "s", "mode": "sim", "writers": 1, "sim": {"latency_ms": {"mean": 3}}})",
        "s.json");
    EXPECT_EQ(s.mode, RunMode::sim);
    EXPECT_EQ(s.sim["latency_ms"]["mean"], 3);
}

// Everything set to a non-default value, so the round trip exercises each field.
constexpr const char* kFullScenario = R"({
    "name": "full", "description": "every field", "seed": 42, "mode": "real",
    "target": {"kind": "external", "url": "https://127.0.0.1:9443", "token": "env:T",
               "admin_token": "file:/tmp/admin", "ca_file": "ca.pem",
               "insecure_skip_verify": false},
    "workload": {"kind": "overlapping-fields", "resources": 50, "resource_prefix": "doc-",
                 "keys": {"distribution": "zipf", "zipf_exponent": 1.3},
                 "ops_per_writer": 20, "patch_fraction": 0.25, "fields": 6,
                 "timestamp_skew_ms": 150, "think_time_ms": 3, "simultaneous_pairs": true},
    "groups": [
        {"name": "merge-newer", "writers": 3,
         "policy": {"strategy": "merge", "field_rules": {"default": "newer-wins",
                    "pointers": {"/fields/f0": "ours"}},
                    "timestamp_pointer": "/updated_at", "backoff": "k8s-client-go"}},
        {"name": "lww", "writers": 2, "policy": {"strategy": "overwrite", "max_attempts": 9}}
    ],
    "client": {"threads": 4, "max_connections": 32},
    "expect": ["lost_updates == 0", "alerts == outcomes.Failed"],
    "sim": {"anything": [1, 2]}
})";

TEST(ScenarioToJson, RoundTripIsStable) {
    Scenario s = parse_scenario(kFullScenario, "full.json");
    json once = to_json(s);
    Scenario again = parse_scenario(once.dump(), "full.json (normalised)");
    EXPECT_EQ(to_json(again), once);
    EXPECT_EQ(again.groups[0].policy, s.groups[0].policy);
    EXPECT_EQ(again.groups[1].policy, s.groups[1].policy);
    EXPECT_EQ(again.workload.keys.zipf_exponent, 1.3);
    EXPECT_EQ(again.expectations.size(), 2u);
}

TEST(ScenarioToJson, RoundTripOfDefaultsAndDuration) {
    for (const char* doc : {R"({"name": "a", "writers": 1})",
                            R"({"name": "b", "writers": 2, "mode": "sim",
                                "workload": {"duration_s": 1.5, "kind": "register",
                                             "keys": {"distribution": "hot", "hot_keys": 1}},
                                "target": {"server": {"x": 1}}})"}) {
        json once = to_json(parse_scenario(doc, "doc.json"));
        EXPECT_EQ(to_json(parse_scenario(once.dump(), "doc.json")), once) << doc;
    }
}

TEST(ScenarioToJson, NamesTheNormalisedFields) {
    json j = to_json(parse_scenario(kFullScenario, "full.json"));
    EXPECT_EQ(j["workload"]["kind"], "overlapping-fields");
    EXPECT_EQ(j["workload"]["ops_per_writer"], 20);
    EXPECT_FALSE(j["workload"].contains("duration_s"));
    EXPECT_EQ(j["workload"]["keys"],
              json::parse(R"({"distribution": "zipf", "zipf_exponent": 1.3})"));
    EXPECT_EQ(j["target"]["token"], "env:T");  // the reference, never a value
    EXPECT_EQ(j["groups"][0]["policy"]["strategy"], "merge");
    EXPECT_EQ(j["groups"][0]["policy"]["max_attempts"], 5);  // from the k8s preset
    EXPECT_EQ(j["expect"][1], "alerts == outcomes.Failed");
}

class ScenarioFile : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("conflictlab-scenario-test-" +
                std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string write(const std::string& name, const std::string& text) {
        auto path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }
    std::filesystem::path dir_;
};

TEST_F(ScenarioFile, LoadsAndNamesTheFileInErrors) {
    auto good = write("good.json", R"({"name": "good", "writers": 1})");
    EXPECT_EQ(load_scenario_file(good).name, "good");

    auto bad = write("bad.json", R"({"name": "bad", "writers": 1, "mode": "later"})");
    try {
        load_scenario_file(bad);
        FAIL();
    } catch (const ScenarioError& e) {
        EXPECT_EQ(std::string(e.what()),
                  bad + ": mode: unknown value \"later\" (allowed: real, sim)");
    }
}

TEST_F(ScenarioFile, MissingFile) {
    auto path = (dir_ / "absent.json").string();
    try {
        load_scenario_file(path);
        FAIL();
    } catch (const ScenarioError& e) {
        EXPECT_EQ(std::string(e.what()),
                  path + ": cannot read the file (No such file or directory)");
        EXPECT_EQ(e.field(), "");
    }
}

TEST_F(ScenarioFile, OversizedFileIsRefusedBeforeParsing) {
    auto path = write("huge.json", std::string(16 * 1024 * 1024 + 1, ' '));
    try {
        load_scenario_file(path);
        FAIL();
    } catch (const ScenarioError& e) {
        EXPECT_EQ(std::string(e.what()),
                  path + ": file larger than 16 MiB; a scenario is a small description");
    }
}

}  // namespace
}  // namespace conflictlab::harness
