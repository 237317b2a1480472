#pragma once
// A small, complete results document built in code (the shape `conflictlab
// run --json` writes), for tests that change one field at a time.

#include <nlohmann/json.hpp>

namespace conflictlab::reports::testing {

inline nlohmann::json sample_run() {
    using nlohmann::json;
    return json{
        {"format", "conflictlab-results/1"},
        {"version", "0.1.0"},
        {"scenario_name", "sample"},
        {"scenario_file", "scenarios/sample.json"},
        {"scenario", {{"description", "two writers, one hot key"}}},
        {"seed", 42},
        {"reproduce", "conflictlab run scenarios/sample.json --seed 42"},
        {"mode", "real"},
        {"target", "embedded http://127.0.0.1:1234"},
        {"started_at", "2026-01-01T00:00:00.000Z"},
        {"passed", false},
        {"errors", json::array()},
        {"metrics",
         {{"ops", 10},
          {"acknowledged", 8},
          {"success_rate", 0.8},
          {"goodput_per_s", 4.0},
          {"calls_per_success", 3.5},
          {"attempts_per_update", 1.7},
          {"attempts", 17},
          {"conflicts", 7},
          {"conflict_rate", 0.41},
          {"http_calls", 28},
          {"duration_s", 2.0},
          {"writers", 2},
          {"alerts", 2},
          {"alerts_delivered", 2},
          {"outcomes", {{"Success", 5}, {"Resolved", 3}, {"Discarded", 0}, {"Failed", 2}}},
          {"paths", {{"direct", 5}, {"refetch>merge>retry", 3}}},
          {"reasons", {{"persistent-conflict", 2}}},
          {"latency",
           {{"count", 10},
            {"mean_ms", 12.5},
            {"p50_ms", 8.0},
            {"p90_ms", 30.0},
            {"p99_ms", 41.0},
            {"p999_ms", 41.0},
            {"max_ms", 41.0}}},
          {"server",
           {{"status", {{"200", 20}, {"412", 7}, {"503", 1}}},
            {"faults_fired", 1},
            {"fault_firings", {{"unavailable", 1}}}}}}},
        {"groups", json::array()},
        {"time_series",
         {{"slot_s", 1.0},
          {"completed", {6, 4}},
          {"acknowledged", {5, 3}},
          {"failed", {1, 1}},
          {"conflicts", {4, 3}}}},
        {"checker",
         {{"passed", false},
          {"clean", false},
          {"anomalies_expected", false},
          {"lost_updates", 1},
          {"anomalies_total", 1},
          {"anomalies",
           {{{"kind", "lost-update"},
             {"resource_id", "r-0"},
             {"op_ids", {"w0-1"}},
             {"versions", {"3", "5"}},
             {"detail", "element \"w0-1\" is missing"}}}}}},
        {"failed_ops",
         {{{"op_id", "w1-4"},
           {"writer_id", "w1"},
           {"group", "default"},
           {"resource_id", "r-0"},
           {"path", "refetch>merge>retry"},
           {"reason", "persistent-conflict"},
           {"detail", "HTTP 412 on attempt 3 of 3"}}}},
        {"expectations",
         {{{"text", "lost_updates == 0"},
           {"passed", false},
           {"measured", 1},
           {"threshold", 0},
           {"detail", "lost_updates is 1, expected == 0"},
           {"op_ids", {"w0-1"}}},
          {{"text", "p99_ms <= 100"},
           {"passed", true},
           {"measured", 41.0},
           {"threshold", 100},
           {"detail", "p99_ms is 41, expected <= 100"},
           {"op_ids", json::array()}}}},
        {"dashboard",
         {{"slot_s", 1.0},
          {"slots", 2},
          {"attempts_histogram", {{{"attempts", 1}, {"ops", 5}}, {{"attempts", 3}, {"ops", 5}}}},
          {"latency_histogram", {{"le_ms", {1, 10, 100}}, {"ops", {0, 6, 4, 0}}}},
          {"conflicts_by_resource",
           {{"total", 7},
            {"resources", 2},
            {"top", {{{"id", "r-0"}, {"conflicts", 6}}, {{"id", "r-1"}, {"conflicts", 1}}}}}},
          {"conflict_heat",
           {{{"id", "r-0"}, {"conflicts", {4, 2}}}, {{"id", "r-1"}, {"conflicts", {0, 1}}}}},
          {"status_per_slot", {{"200", {12, 8}}, {"412", {4, 3}}, {"503", {1, 0}}}},
          {"ops_per_slot",
           {{"completed", {6, 4}},
            {"acknowledged", {5, 3}},
            {"failed", {1, 1}},
            {"conflicts", {4, 3}}}}}},
    };
}

inline nlohmann::json sample_sweep() {
    using nlohmann::json;
    json runs = json::array();
    for (const char* backoff : {"none", "full-jitter"}) {
        for (int writers : {8, 32}) {
            const bool jitter = std::string(backoff) == "full-jitter";
            runs.push_back(
                {{"setting", {{"backoff", backoff}, {"writers", std::to_string(writers)}}},
                 {"seed", 42},
                 {"passed", true},
                 {"errors", json::array()},
                 {"reproduce", std::string("conflictlab sweep s.json --seed 42 --vary backoff=") +
                                   backoff + " --vary writers=" + std::to_string(writers)},
                 {"metrics",
                  {{"writers", writers},
                   {"ops", writers * 10},
                   {"goodput_per_s", jitter ? 1000.0 / writers : 400.0 / writers},
                   {"calls_per_success", jitter ? 3.0 : 3.0 * writers / 4},
                   {"attempts_per_update", 1.5},
                   {"conflict_rate", 0.3},
                   {"p50_ms", 5.0},
                   {"p99_ms", jitter ? 60.0 : 20.0 * writers},
                   {"max_ms", 900.0},
                   {"outcomes", {{"Failed", 0}}},
                   {"lost_updates", 0}}}});
        }
    }
    return {{"format", "conflictlab-sweep/1"},
            {"scenario_file", "scenarios/perf-hot-key-64.json"},
            {"axes",
             {{{"key", "backoff"}, {"values", {"none", "full-jitter"}}},
              {{"key", "writers"}, {"values", {"8", "32"}}}}},
            {"runs", runs}};
}

}  // namespace conflictlab::reports::testing
