// The simulator end to end, in-process: exact virtual timings of the model
// (network, service, serialisation, concurrency limit, injected delays and
// connection fates), determinism by digest, the checker and the gates, limits,
// and bad input. Fixed delays (sd 0) make timings exact.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/harness/sim/history_digest.hpp"
#include "conflictlab/harness/sim/simulator.hpp"
#include "conflictlab/harness/sweep.hpp"

namespace conflictlab::harness::sim {
namespace {

using nlohmann::json;

// A scenario from JSON; `sim` defaults to fixed 10 ms hops and no service time.
Scenario scenario(json j) {
    if (!j.contains("name"))
        j["name"] = "sim-test";
    if (!j.contains("sim")) {
        j["sim"] = {{"network", {{"delay_ms", {{"mean", 10}, {"sd", 0}}}}},
                    {"server", {{"service_ms", {{"mean", 0}, {"sd", 0}}}}}};
    }
    return parse_scenario(j.dump(), "test.json");
}

SimResult simulate(const Scenario& s, std::optional<std::uint64_t> seed = std::nullopt,
                   const std::string& history = {}) {
    RunOptions o;
    o.seed = seed;
    o.scenario_file = "test.json";
    o.history_path = history;
    return sim::simulate(s, o);
}

std::uint64_t outcome(const RunResult& r, const char* kind) {
    return r.total.outcomes.at(kind);
}

TEST(Simulator, OneWriterTimingIsExactHopsAndServiceTime) {
    // Per op: GET (10 ms there, 10 back) then PUT (the same): 40 ms.
    const auto r = simulate(scenario({{"writers", 1}, {"workload", {{"ops_per_writer", 5}}}}));
    EXPECT_TRUE(r.run.passed()) << render_sim_summary(r);
    EXPECT_EQ(r.run.mode, "sim");
    EXPECT_EQ(outcome(r.run, "success"), 5u);
    EXPECT_DOUBLE_EQ(r.run.wall_s, 0.200);
    EXPECT_EQ(r.run.total.http_calls, 10u);
    EXPECT_DOUBLE_EQ(r.run.total.latency.max_ms, 20.0);  // the resolution: the PUT only
    EXPECT_EQ(r.sim.requests, 10u);
    EXPECT_EQ(r.sim.client_timeouts, 0u);
    EXPECT_GT(r.sim.events, 0u);
    // The run ends with its last op, not with the stale timeouts behind it.
    EXPECT_DOUBLE_EQ(r.sim.virtual_s, 0.200);
}

TEST(Simulator, ServiceTimeAddsToEveryRequest) {
    auto s = scenario({{"writers", 1},
                       {"workload", {{"ops_per_writer", 2}}},
                       {"sim",
                        {{"network", {{"delay_ms", {{"mean", 1}, {"sd", 0}}}}},
                         {"server", {{"service_ms", {{"mean", 3}, {"sd", 0}}}}}}}});
    EXPECT_DOUBLE_EQ(simulate(s).run.wall_s, 4 * (1 + 3 + 1) / 1000.0);
}

// Three blind writers on one resource, 1 ms service, no network: the same
// six requests take 2, 4 or 6 ms depending on the server model.
double blind_wall_s(json server) {
    server["service_ms"] = {{"mean", 1}, {"sd", 0}};
    return simulate(scenario({{"writers", 3},
                              {"workload", {{"kind", "blind"}, {"ops_per_writer", 1}}},
                              {"expect", {"lost_updates >= 0"}},
                              {"sim",
                               {{"network", {{"delay_ms", {{"mean", 0}, {"sd", 0}}}}},
                                {"server", server}}}}))
        .run.wall_s;
}

TEST(Simulator, WritesToOneResourceAreSerialised) {
    // GETs in parallel (0-1 ms), then the three PUTs one after another.
    EXPECT_DOUBLE_EQ(blind_wall_s({{"serialize_writes", true}}), 0.004);
    EXPECT_DOUBLE_EQ(blind_wall_s({{"serialize_writes", false}}), 0.002);
}

TEST(Simulator, ConcurrencyLimitServesOneAtATime) {
    EXPECT_DOUBLE_EQ(blind_wall_s({{"concurrency_limit", 1}}), 0.006);
}

TEST(Simulator, InjectedDelayDelaysTheResponse) {
    const json rules = {{"rules",
                         {{{"name", "slow-get"},
                           {"match", {{"methods", {"GET"}}}},
                           {"then", {{"delay_ms", 100}}}}}}};
    const auto r = simulate(scenario({{"writers", 1},
                                      {"workload", {{"ops_per_writer", 1}}},
                                      {"target", {{"server", {{"fault_rules", rules}}}}}}));
    EXPECT_DOUBLE_EQ(r.run.wall_s, 0.140);
    EXPECT_EQ(metrics_json(r.run)["server"]["faults_fired"], 1);
}

TEST(Simulator, HangMeansTheClientTimesOutAndVerifies) {
    // The PUT is applied but its response never comes: the engine gives up
    // after attempt_timeout_ms, re-reads, and finds its write there.
    const json rules = {{"rules",
                         {{{"name", "hang-put"},
                           {"match", {{"methods", {"PUT"}}}},
                           {"when", {{"first", 1}}},
                           {"then", {{"connection", "hang"}}}}}}};
    const auto r = simulate(scenario({{"writers", 1},
                                      {"workload", {{"ops_per_writer", 1}}},
                                      {"policy", {{"attempt_timeout_ms", 500}}},
                                      {"target", {{"server", {{"fault_rules", rules}}}}}}));
    EXPECT_EQ(r.sim.client_timeouts, 1u);
    EXPECT_EQ(r.run.total.acknowledged, 1u) << render_sim_summary(r);
    // GET 20 ms, PUT abandoned at 20 + 500, then at least one more round trip.
    EXPECT_GE(r.run.wall_s, 0.540);
    EXPECT_LT(r.run.wall_s, 60.0);  // not the server's hang limit
    EXPECT_TRUE(r.run.passed()) << render_sim_summary(r);
}

TEST(Simulator, ResetIsATransportErrorAfterTheWrite) {
    const json rules = {{"rules",
                         {{{"name", "reset-put"},
                           {"match", {{"methods", {"PUT"}}}},
                           {"when", {{"first", 1}}},
                           {"then", {{"connection", "reset"}}}}}}};
    const auto r = simulate(scenario({{"writers", 1},
                                      {"workload", {{"ops_per_writer", 1}}},
                                      {"target", {{"server", {{"fault_rules", rules}}}}}}));
    EXPECT_EQ(r.sim.client_timeouts, 0u);
    EXPECT_EQ(r.run.total.acknowledged, 1u) << render_sim_summary(r);
    EXPECT_NE(r.run.groups[0].paths.begin()->first.find("verify"), std::string::npos)
        << r.run.groups[0].paths.begin()->first;
    // GET, PUT (reset), a backoff sleep, the verifying GET: nothing waits
    // for a timeout.
    EXPECT_GT(r.run.wall_s, 0.060);
    EXPECT_LT(r.run.wall_s, 0.060 + 0.100);  // the sleep is below the 100 ms base
}

TEST(Simulator, DurationBoundRunsInVirtualTime) {
    // 40 ms per op + 100 ms think time: ops start at 0, 140, ..., 980 ms.
    const auto r = simulate(
        scenario({{"writers", 1}, {"workload", {{"duration_s", 1.0}, {"think_time_ms", 100}}}}));
    EXPECT_EQ(r.run.total.ops, 8u);
}

json contended() {
    return {{"writers", 8},
            {"seed", 5},
            {"workload", {{"resources", 2}, {"ops_per_writer", 5}}},
            {"policy",
             {{"strategy", "merge"},
              {"max_attempts", 10},
              {"backoff", {{"kind", "full-jitter"}, {"base_ms", 5}, {"cap_ms", 100}}}}},
            {"target",
             {{"server",
               {{"fault_rules",
                 {{"rules",
                   {{{"name", "flaky"},
                     {"match", {{"methods", {"PUT"}}}},
                     {"when", {{"probability", 0.1}}},
                     {"then", {{"status", 503}}}},
                    {{"name", "slow"},
                     {"when", {{"probability", 0.1}}},
                     {"then", {{"delay_ms", 30}}}}}}}}}}}},
            {"sim",
             {{"network", {{"delay_ms", {{"mean", 2}, {"sd", 1}}}}},
              {"server", {{"service_ms", {{"mean", 0.2}, {"sd", 0.1}}}}}}}};
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(Simulator, SameSeedSameHistoryByteForByte) {
    const auto s = scenario(contended());
    const std::string a_path = ::testing::TempDir() + "sim-a.jsonl";
    const std::string b_path = ::testing::TempDir() + "sim-b.jsonl";
    const auto a = simulate(s, std::nullopt, a_path);
    const auto b = simulate(s, std::nullopt, b_path);
    EXPECT_EQ(a.sim.history_digest, b.sim.history_digest);
    const std::string a_text = read_file(a_path);
    EXPECT_FALSE(a_text.empty());
    EXPECT_EQ(a_text, read_file(b_path));
    Fnv1a64 h;
    h.update(a_text);
    EXPECT_EQ(h.hex(), a.sim.history_digest);  // the digest covers exactly the file
    EXPECT_EQ(a.sim.events, b.sim.events);
    EXPECT_GT(a.run.total.conflicts, 0u);  // there was contention to replay
    EXPECT_GT(metrics_json(a.run)["server"]["faults_fired"].get<int>(), 0);
    std::remove(a_path.c_str());
    std::remove(b_path.c_str());
}

TEST(Simulator, DifferentSeedsGiveDifferentHistories) {
    const auto s = scenario(contended());
    EXPECT_NE(simulate(s, 1).sim.history_digest, simulate(s, 2).sim.history_digest);
    EXPECT_EQ(simulate(s, 2).run.seed, 2u);
}

TEST(Simulator, TheCheckerRunsOnSimulatedHistories) {
    // Blind writers must lose updates here too: a checker that cannot fail
    // proves nothing, in sim mode as well.
    json j = {{"writers", 6},
              {"workload", {{"kind", "blind"}, {"ops_per_writer", 5}}},
              {"sim", {{"network", {{"delay_ms", {{"mean", 5}, {"sd", 2}}}}}}}};
    const auto unguarded = simulate(scenario(j));
    EXPECT_GT(unguarded.run.check.lost_updates, 0u);
    EXPECT_FALSE(unguarded.run.passed());
    j["expect"] = {"lost_updates > 0"};
    EXPECT_TRUE(simulate(scenario(j)).run.passed());
}

TEST(Simulator, ExpectationsGateTheRun) {
    json j = {{"writers", 1}, {"workload", {{"ops_per_writer", 3}}}};
    j["expect"] = {"outcomes.Success == 3", "duration_s <= 0.12"};
    EXPECT_TRUE(simulate(scenario(j)).run.passed());
    j["expect"] = {"duration_s < 0.1"};
    const auto r = simulate(scenario(j));
    EXPECT_FALSE(r.run.passed());
    EXPECT_EQ(r.run.expectations.size(), 1u);
    EXPECT_FALSE(r.run.expectations[0].result.passed);
}

TEST(Simulator, EventLimitStopsTheRunAndFailsIt) {
    json j = contended();
    j["sim"]["limits"] = {{"max_events", 50}};
    const auto r = simulate(scenario(j));
    ASSERT_FALSE(r.run.errors.empty());
    EXPECT_NE(r.run.errors[0].find("sim.limits.max_events"), std::string::npos);
    EXPECT_FALSE(r.run.passed());
}

TEST(Simulator, SimultaneousPairsWriteAtTheSameInstant) {
    const auto s = scenario({{"writers", 2},
                             {"workload", {{"ops_per_writer", 1}, {"simultaneous_pairs", true}}},
                             {"policy", {{"strategy", "merge"}}}});
    const std::string path = ::testing::TempDir() + "sim-pairs.jsonl";
    const auto r = simulate(s, std::nullopt, path);
    std::istringstream lines(read_file(path));
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    // Both writes leave at the same virtual instant.
    EXPECT_EQ(json::parse(first)["outcome"]["started_ns"],
              json::parse(second)["outcome"]["started_ns"]);
    EXPECT_EQ(r.run.total.conflicts, 1u);  // exactly one of them lost the race
    EXPECT_EQ(r.run.total.acknowledged, 2u);
    std::remove(path.c_str());
}

TEST(Simulator, BadInputNamesTheField) {
    json j = {{"writers", 1}, {"sim", {{"server", {{"concurrency_limit", -1}}}}}};
    try {
        simulate(scenario(j));
        FAIL() << "no error";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.field(), "sim.server.concurrency_limit");
        EXPECT_EQ(std::string(e.what()).rfind("test.json: sim.server.concurrency_limit: ", 0), 0u);
    }
    json bad_server = {{"writers", 1}, {"target", {{"server", {{"dialect", "nope"}}}}}};
    try {
        simulate(scenario(bad_server));
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).rfind("target.server.dialect", 0), 0u) << e.what();
    }
}

TEST(Simulator, ResultsJsonIsTheRunFormatPlusASimObject) {
    const auto r = simulate(scenario({{"writers", 1}, {"workload", {{"ops_per_writer", 1}}}}));
    const json j = results_json(r);
    EXPECT_EQ(j["format"], "conflictlab-results/1");
    EXPECT_EQ(j["mode"], "sim");
    EXPECT_EQ(j["sim"]["history_digest"], r.sim.history_digest);
    EXPECT_EQ(j["sim"]["model"]["network"]["delay_ms"]["mean"], 10.0);
    EXPECT_EQ(j["reproduce"], "conflictlab sim test.json --seed 1");
    const std::string summary = render_sim_summary(r);
    EXPECT_NE(summary.find("history     fnv1a64:"), std::string::npos) << summary;
    EXPECT_NE(summary.find("PASS"), std::string::npos);
}

TEST(Simulator, SweepVariesModelFields) {
    const auto s = scenario({{"writers", 1}});
    const Scenario changed = apply_setting(s, {{"sim.network.delay_ms.mean", "5"}});
    EXPECT_EQ(changed.sim["network"]["delay_ms"]["mean"], 5);
    EXPECT_EQ(changed.sim["network"]["delay_ms"]["sd"], 0);          // the rest is kept
    EXPECT_DOUBLE_EQ(simulate(changed).run.wall_s, 10 * 4 * 0.005);  // 10 ops, 4 hops of 5 ms
}

}  // namespace
}  // namespace conflictlab::harness::sim
