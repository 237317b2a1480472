// Simulation speed (docs/performance.md "Simulation"): whole simulated runs
// on one core, reported as simulated events per second, plus the scheduler's
// own cost per event.
//
//   build/harness/src/sim/sim_bench --benchmark_filter=Sim_ --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <string>

#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/harness/sim/scheduler.hpp"
#include "conflictlab/harness/sim/simulator.hpp"

namespace {

using namespace conflictlab::harness;

// `writers` x `ops` updates on `resources` resources; 10 ms hops.
Scenario make_scenario(int writers, int ops, int resources, const std::string& kind) {
    nlohmann::json j = {
        {"name", "sim-bench"},
        {"seed", 1},
        {"mode", "sim"},
        {"writers", writers},
        {"workload", {{"kind", kind}, {"resources", resources}, {"ops_per_writer", ops}}},
        {"policy",
         {{"strategy", kind == "register" ? "overwrite" : "merge"},
          {"max_attempts", 10},
          {"backoff", {{"kind", "full-jitter"}, {"base_ms", 10}, {"cap_ms", 2000}}}}},
        {"sim",
         {{"network", {{"delay_ms", {{"mean", 10}, {"sd", 2}}}}},
          {"server", {{"service_ms", {{"mean", 0.2}, {"sd", 0.05}}}}}}}};
    return parse_scenario(j.dump(), "bench");
}

void run(benchmark::State& state, const Scenario& s) {
    std::uint64_t events = 0, ops = 0;
    double virtual_s = 0;
    for (auto _ : state) {
        RunOptions o;
        const sim::SimResult r = sim::simulate(s, o);
        events += r.sim.events;
        ops += r.run.total.ops;
        virtual_s = r.sim.virtual_s;
        if (!r.run.errors.empty())
            state.SkipWithError(r.run.errors.front().c_str());
    }
    state.counters["events/s"] =
        benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
    state.counters["ops/s"] =
        benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
    state.counters["events"] =
        static_cast<double>(events) / static_cast<double>(state.iterations());
    state.counters["virtual_s"] = virtual_s;
}

// The scale target: 10,000 clients x 10 updates on 100 hot resources.
void Sim_10kClients_10Updates_100Resources_Register(benchmark::State& state) {
    run(state, make_scenario(10'000, 10, 100, "register"));
}
BENCHMARK(Sim_10kClients_10Updates_100Resources_Register)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

// Same scale, set-add + merge: documents grow to ~1,000 elements per
// resource, so every read and merge handles a larger body.
void Sim_10kClients_10Updates_100Resources_SetAddMerge(benchmark::State& state) {
    run(state, make_scenario(10'000, 10, 100, "set-add"));
}
BENCHMARK(Sim_10kClients_10Updates_100Resources_SetAddMerge)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

void Sim_1kClients_10Updates_100Resources_Register(benchmark::State& state) {
    run(state, make_scenario(1'000, 10, 100, "register"));
}
BENCHMARK(Sim_1kClients_10Updates_100Resources_Register)->Unit(benchmark::kMillisecond);

// The event queue alone: schedule + pop of one event with 100k pending.
void Scheduler_PushPop_100kPending(benchmark::State& state) {
    sim::VirtualClock clock;
    sim::Scheduler s(clock);
    std::uint64_t x = 1;
    const auto next_delay = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return static_cast<std::int64_t>(x % 20'000'000);
    };
    for (int i = 0; i < 100'000; ++i)
        s.after(next_delay(), {1, 0, 0});
    for (auto _ : state) {
        s.after(next_delay(), {1, 0, 0});
        benchmark::DoNotOptimize(s.pop());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Scheduler_PushPop_100kPending);

}  // namespace

BENCHMARK_MAIN();
