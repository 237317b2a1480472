// Rendering cost of a results file that represents 1,000,000 operations.
// A results file is aggregate (histograms, per-second series, top-N lists,
// bounded lists of findings), so its size does not grow with the op count;
// this benchmark builds one with the largest blocks the writer emits (1000 s
// of per-second series, 600 dashboard slots, 8 heat strips, 12 status codes,
// 20 hot resources, 100 anomalies, 50 failed ops) and times parse + render.
//   conflictlab_reports_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <string>

#include "conflictlab/reports/report.hpp"

namespace {

using nlohmann::json;

json million_op_results() {
    constexpr int kSeconds = 1000, kSlots = 600;
    constexpr double kOps = 1'000'000;
    json series = {{"slot_s", 1.0}, {"truncated", false}};
    for (const char* row : {"completed", "acknowledged", "failed", "conflicts"}) {
        json values = json::array();
        for (int i = 0; i < kSeconds; ++i)
            values.push_back(1000 - (i % 7) * (row[0] == 'f' ? 140 : 3));
        series[row] = values;
    }
    const auto slots = [](int scale) {
        json v = json::array();
        for (int i = 0; i < kSlots; ++i)
            v.push_back((i * 37 + scale) % (scale + 1));
        return v;
    };
    json top = json::array(), heat = json::array();
    for (int r = 0; r < 20; ++r) {
        top.push_back({{"id", "resource-" + std::to_string(r)}, {"conflicts", 90000 / (r + 1)}});
        if (r < 8)
            heat.push_back(
                {{"id", "resource-" + std::to_string(r)}, {"conflicts", slots(300 - r)}});
    }
    json statuses = json::object();
    for (const char* code :
         {"0", "200", "201", "404", "409", "410", "412", "428", "429", "500", "502", "503"})
        statuses[code] = slots(2000);
    json anomalies = json::array(), failed = json::array(), paths = json::object();
    for (int i = 0; i < 100; ++i) {
        anomalies.push_back({{"kind", "lost-update"},
                             {"resource_id", "resource-" + std::to_string(i % 20)},
                             {"op_ids", {"w" + std::to_string(i) + "-7"}},
                             {"versions", {std::to_string(i), std::to_string(i + 9)}},
                             {"detail", "element of acknowledged op is missing"}});
    }
    for (int i = 0; i < 50; ++i) {
        failed.push_back({{"op_id", "w" + std::to_string(i) + "-3"},
                          {"writer_id", "w" + std::to_string(i)},
                          {"group", "default"},
                          {"resource_id", "resource-0"},
                          {"path", "refetch>merge>retry"},
                          {"reason", "persistent-conflict"},
                          {"detail", "HTTP 412 on attempt 10 of 10"}});
    }
    std::string path = "direct";
    for (int i = 0; i < 40; ++i) {
        paths[path] = 400000 / (i + 1);
        path += ">refetch>merge>retry";
    }
    json attempts = json::array();
    for (int a = 1; a <= 10; ++a)
        attempts.push_back({{"attempts", a}, {"ops", 500000 >> (a - 1)}});
    return {
        {"format", "conflictlab-results/1"},
        {"version", "0.1.0"},
        {"scenario_name", "million"},
        {"scenario_file", "bench.json"},
        {"seed", 1},
        {"reproduce", "conflictlab sim bench.json --seed 1"},
        {"mode", "sim"},
        {"passed", false},
        {"errors", json::array()},
        {"metrics",
         {{"ops", kOps},
          {"acknowledged", kOps - 5000},
          {"success_rate", 0.995},
          {"goodput_per_s", 995.0},
          {"calls_per_success", 4.1},
          {"attempts_per_update", 1.9},
          {"conflicts", 900000},
          {"outcomes",
           {{"Success", 500000}, {"Resolved", 495000}, {"Discarded", 0}, {"Failed", 5000}}},
          {"paths", paths},
          {"reasons", {{"persistent-conflict", 4000}, {"exhausted-transient", 1000}}},
          {"latency",
           {{"count", kOps},
            {"p50_ms", 8.0},
            {"p90_ms", 40.0},
            {"p99_ms", 400.0},
            {"max_ms", 9000.0}}},
          {"server",
           {{"status", {{"200", 3000000}, {"412", 900000}, {"503", 20000}}},
            {"faults_fired", 20000},
            {"fault_firings", {{"unavailable", 20000}}}}}}},
        {"time_series", series},
        {"checker",
         {{"passed", false},
          {"clean", false},
          {"lost_updates", 100},
          {"anomalies_total", 100},
          {"anomalies", anomalies}}},
        {"failed_ops", failed},
        {"expectations",
         {{{"text", "lost_updates == 0"}, {"passed", false}, {"measured", 100}, {"threshold", 0}}}},
        {"dashboard",
         {{"slot_s", 2.0},
          {"slots", kSlots},
          {"attempts_histogram", attempts},
          {"latency_histogram",
           {{"le_ms", {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4}},
            {"ops",
             {0, 0, 0, 10, 1000, 90000, 300000, 300000, 200000, 80000, 20000, 6000, 2000, 700, 200,
              90, 0}}}},
          {"conflicts_by_resource", {{"total", 900000}, {"resources", 5000}, {"top", top}}},
          {"conflict_heat", heat},
          {"status_per_slot", statuses},
          {"ops_per_slot",
           {{"completed", slots(3000)},
            {"acknowledged", slots(2900)},
            {"failed", slots(20)},
            {"conflicts", slots(1500)}}}}},
    };
}

void BM_RenderHtml_MillionOps(benchmark::State& state) {
    const std::string text = million_op_results().dump(2);
    std::size_t bytes = 0;
    for (auto _ : state) {
        const json j = conflictlab::reports::parse_results(text, "bench");
        const std::string html = conflictlab::reports::render_html(j);
        bytes = html.size();
        benchmark::DoNotOptimize(html.data());
    }
    state.counters["results_bytes"] = static_cast<double>(text.size());
    state.counters["html_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderHtml_MillionOps)->Unit(benchmark::kMillisecond);

void BM_RenderMarkdown_MillionOps(benchmark::State& state) {
    const json j = million_op_results();
    std::size_t bytes = 0;
    for (auto _ : state) {
        const std::string md = conflictlab::reports::render_markdown(j);
        bytes = md.size();
        benchmark::DoNotOptimize(md.data());
    }
    state.counters["markdown_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderMarkdown_MillionOps)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
