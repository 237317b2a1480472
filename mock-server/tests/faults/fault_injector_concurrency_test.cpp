// FaultInjector under concurrency: threads evaluate while another thread
// replaces the rules. Every decision must belong to exactly one installed
// rule set and the per-rule counters must agree with the decisions made.
// (Also run under TSan: scripts/sanitize.sh thread.)

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "conflictlab/mock/faults/fault_injector.hpp"
#include "fault_test_support.hpp"

namespace conflictlab::mock {
namespace {

using namespace conflictlab::mock::testing;
using nlohmann::json;

// Generation g: one rule that always fires (so each decision names its
// generation) and counting rules whose totals follow from the number of
// requests the generation saw.
FaultRuleSet generation(int g) {
    const std::string p = "gen-" + std::to_string(g);
    return rules(
        {{"rules",
          {{{"name", p}, {"then", {{"delay_ms", 1}}}},
           {{"name", p + "-every3"}, {"when", {{"every", 3}}}, {"then", {{"status", 409}}}},
           {{"name", p + "-first5"}, {"when", {{"first", 5}}}, {"then", {{"status", 412}}}},
           {{"name", p + "-max7"}, {"when", {{"max_firings", 7}}}, {"then", {{"status", 503}}}},
           {{"name", p + "-coin"}, {"when", {{"probability", 0.5}}}, {"then", {{"status", 500}}}},
           {{"name", p + "-other"},
            {"match", {{"methods", {"DELETE"}}}},
            {"then", {{"status", 404}}}}}}});
}

TEST(FaultInjectorConcurrency, CountsAgreeWithDecisionsWhileRulesAreReplaced) {
    constexpr int threads = 4;
    constexpr int evaluations_per_thread = 20000;
    constexpr int generations = 40;

    FaultInjector inj(1);
    inj.replace(generation(0), t0);

    std::atomic<int> running{threads};
    std::vector<std::map<std::string, long>> seen(threads);
    std::vector<char> monotonic(threads, 1);  // not vector<bool>: threads write neighbours
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            const Req r = put("a");
            int last_generation = 0;
            for (int i = 0; i < evaluations_per_thread; ++i) {
                const FaultDecision d = inj.evaluate(r.facts(), t0);
                for (const auto& name : d.fired_rules) {
                    ++seen[t][name];
                }
                // The always-firing rule comes first and names the generation.
                const int g = std::stoi(d.fired_rules.at(0).substr(4));
                monotonic[t] = monotonic[t] && g >= last_generation;
                last_generation = g;
            }
            running.fetch_sub(1);
        });
    }
    int installed = 1;
    for (; installed < generations && running.load() > 0; ++installed) {
        for (int spin = 0; spin < 200; ++spin) {
            std::this_thread::yield();
        }
        inj.replace(generation(installed), t0);
    }
    for (auto& w : workers) {
        w.join();
    }

    std::map<std::string, long> total;
    for (int t = 0; t < threads; ++t) {
        EXPECT_TRUE(monotonic[t]) << "thread " << t << " saw an older rule set after a newer one";
        for (const auto& [name, n] : seen[t]) {
            total[name] += n;
        }
    }
    long requests = 0;
    for (int g = 0; g < installed; ++g) {
        const std::string p = "gen-" + std::to_string(g);
        const long n = total[p];
        requests += n;
        EXPECT_EQ(total[p + "-every3"], n / 3) << p;
        EXPECT_EQ(total[p + "-first5"], std::min(5L, n)) << p;
        EXPECT_EQ(total[p + "-max7"], std::min(7L, n)) << p;
        EXPECT_LE(total[p + "-coin"], n) << p;
        EXPECT_EQ(total[p + "-other"], 0) << p;
    }
    EXPECT_EQ(requests, long{threads} * evaluations_per_thread);

    const std::string last = "gen-" + std::to_string(installed - 1);
    const json firings = inj.firings_json();
    EXPECT_EQ(firings[last], total[last]);
    EXPECT_EQ(firings[last + "-coin"], total[last + "-coin"]);
    EXPECT_EQ(inj.matches_json()[last], total[last]);
}

// The no-rules and no-match paths run concurrently with replace() and clear().
TEST(FaultInjectorConcurrency, FastPathsRaceSafelyWithInstallAndClear) {
    FaultInjector inj(1);
    std::atomic<bool> stop{false};
    std::atomic<long> fired{0};
    std::thread reader([&] {
        const Req r = get("a");
        while (!stop.load()) {
            if (!inj.empty()) {
                fired += inj.evaluate(r.facts(), t0).fired() ? 1 : 0;
            }
        }
    });
    const FaultRuleSet puts_only =
        one_rule({{"name", "p"}, {"match", {{"methods", {"PUT"}}}}, {"then", {{"status", 409}}}});
    for (int i = 0; i < 2000; ++i) {
        inj.replace(puts_only, t0);
        inj.clear();
    }
    stop = true;
    reader.join();
    EXPECT_EQ(fired.load(), 0);
    EXPECT_TRUE(inj.empty());
}

}  // namespace
}  // namespace conflictlab::mock
