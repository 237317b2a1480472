// The `sim` object of a scenario: defaults, every field, errors that name the
// field, and the |N(mean, sd)| delay draws.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/harness/sim/sim_model.hpp"

namespace conflictlab::harness::sim {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
    try {
        parse_sim_model(j, "s.json");
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "no error";
}

TEST(SimModel, EmptyObjectKeepsTheDefaults) {
    EXPECT_EQ(parse_sim_model(json::object(), "s.json"), SimModel{});
}

TEST(SimModel, ReadsEveryField) {
    const json j = {
        {"network", {{"delay_ms", {{"mean", 10}, {"sd", 2}}}}},
        {"server",
         {{"service_ms", {{"mean", 0.5}, {"sd", 0.1}}},
          {"serialize_writes", false},
          {"concurrency_limit", 8},
          {"hang_limit_ms", 5000}}},
        {"limits", {{"max_events", 1000}, {"max_virtual_s", 60}}},
    };
    const SimModel m = parse_sim_model(j, "s.json");
    EXPECT_EQ(m.network.delay, (DelayDistribution{10, 2}));
    EXPECT_EQ(m.server.service, (DelayDistribution{0.5, 0.1}));
    EXPECT_FALSE(m.server.serialize_writes);
    EXPECT_EQ(m.server.concurrency_limit, 8);
    EXPECT_EQ(m.server.hang_limit_ms, 5000);
    EXPECT_EQ(m.limits.max_events, 1000u);
    EXPECT_EQ(m.limits.max_virtual_s, 60.0);
    // to_json writes what parse reads.
    EXPECT_EQ(parse_sim_model(to_json(m), "again"), m);
}

TEST(SimModel, PartialObjectsKeepTheOtherDefaults) {
    const SimModel m = parse_sim_model({{"network", {{"delay_ms", {{"mean", 10}}}}}}, "s.json");
    EXPECT_EQ(m.network.delay.mean_ms, 10.0);
    EXPECT_EQ(m.network.delay.sd_ms, SimModel{}.network.delay.sd_ms);
    EXPECT_EQ(m.server, SimModel{}.server);
}

TEST(SimModel, ErrorsNameTheField) {
    EXPECT_EQ(error_of({{"network", {{"delay_ms", {{"sd", -1}}}}}}),
              "s.json: sim.network.delay_ms.sd: must be between 0 and 60000 (got -1)");
    EXPECT_EQ(error_of({{"server", {{"concurrency_limit", "many"}}}})
                  .rfind("s.json: sim.server.concurrency_limit: ", 0),
              0u);
    EXPECT_EQ(
        error_of({{"limits", {{"max_events", 0}}}}).rfind("s.json: sim.limits.max_events: ", 0),
        0u);
    EXPECT_EQ(error_of({{"limits", {{"max_virtual_s", 0}}}})
                  .rfind("s.json: sim.limits.max_virtual_s: must be greater than 0", 0),
              0u);
    EXPECT_EQ(error_of({{"server", {{"hang_limit_ms", 0}}}})
                  .rfind("s.json: sim.server.hang_limit_ms: ", 0),
              0u);
    EXPECT_EQ(error_of({{"server", {{"serialize_writes", 1}}}})
                  .rfind("s.json: sim.server.serialize_writes: expected true or false", 0),
              0u);
}

TEST(SimModel, UnknownFieldsAreErrors) {
    const std::string e = error_of({{"network", {{"latency_ms", 5}}}});
    EXPECT_NE(e.find("sim.network.latency_ms"), std::string::npos) << e;
    EXPECT_NE(error_of({{"netwrok", json::object()}}).find("sim.netwrok"), std::string::npos);
    EXPECT_NE(error_of({{"network", 5}}).find("sim.network: expected an object"),
              std::string::npos);
}

// A RandomSource that must not be used.
class NoRandom final : public engine::RandomSource {
  public:
    std::uint64_t next() override { throw std::logic_error("drew a random number"); }
};

TEST(SimModel, ZeroSpreadIsExactAndDrawsNothing) {
    NoRandom none;
    EXPECT_EQ(sample_delay_ns({10.0, 0.0}, none), 10'000'000);
    EXPECT_EQ(sample_delay_ns({0.0, 0.0}, none), 0);
    EXPECT_EQ(sample_delay_ns({0.0000004, 0.0}, none), 0);  // rounds to the nanosecond
}

TEST(SimModel, FoldedNormalIsNeverNegativeAndHasTheRightMoments) {
    engine::Xoshiro256 random(7);
    const DelayDistribution d{10.0, 2.0};
    constexpr int kSamples = 200'000;
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < kSamples; ++i) {
        const std::int64_t ns = sample_delay_ns(d, random);
        ASSERT_GE(ns, 0);
        const double ms = static_cast<double>(ns) / 1e6;
        sum += ms;
        sum_sq += ms * ms;
    }
    const double mean = sum / kSamples;
    const double sd = std::sqrt(sum_sq / kSamples - mean * mean);
    EXPECT_NEAR(mean, 10.0, 0.03);  // folding at 0 is negligible 5 sd away
    EXPECT_NEAR(sd, 2.0, 0.03);
    // Folding: with mean 0, every draw is |N(0, sd)| (mean sd * sqrt(2/pi)).
    double folded = 0;
    for (int i = 0; i < kSamples; ++i)
        folded += static_cast<double>(sample_delay_ns({0.0, 1.0}, random)) / 1e6;
    EXPECT_NEAR(folded / kSamples, std::sqrt(2.0 / 3.141592653589793), 0.01);
}

TEST(SimModel, DrawsReplayFromTheSeed) {
    engine::Xoshiro256 a(99), b(99);
    for (int i = 0; i < 1000; ++i)
        ASSERT_EQ(sample_delay_ns({5, 3}, a), sample_delay_ns({5, 3}, b));
}

}  // namespace
}  // namespace conflictlab::harness::sim
