#pragma once
// Monitor: publishes conflicts and outcome counters without delaying the
// resolutions that produce them. record() copies the few fields it needs into
// a bounded queue and returns; a background thread updates the counters and
// writes one structured log line per conflicted outcome. When the queue is
// full the event is dropped and counted (events_dropped), never waited for.
//
// Log line (one JSON object per line, for outcomes with conflicts > 0):
//   {"ts":"2026-11-27T10:00:00.123Z","event":"conflict","resource":"a",
//    "correlation_id":"c-1","writer_id":"w1","op_id":"op-7","kind":"resolved",
//    "reason":"none","path":"refetch>merge>retry","statuses":[412,200],
//    "conflicts":1,"attempts":2}
//
// Counters (snapshot() / prometheus_text()): outcomes by kind, by path and by
// failure reason; conflict responses; outcomes that met a conflict; conflicts
// per resource (top N); dropped events. Label sets are bounded: values beyond
// the limits are counted under "(other)".
//
// Thread-safety: all members are thread-safe. Ownership: owns its thread; the
// destructor processes what is queued, then stops.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conflictlab/engine/outcome_sink.hpp"

namespace conflictlab::engine {

struct MonitorOptions {
    // Events waiting for the background thread at most; beyond: dropped.
    std::size_t queue_capacity = 8'192;
    // Resources listed in top_resources and in the Prometheus output.
    std::size_t top_resources = 10;
    // Distinct resources counted at most; later new ones go to "(other)".
    std::size_t tracked_resources_max = 10'000;
    // Distinct path / reason label values at most; beyond: "(other)".
    std::size_t label_values_max = 256;
    // Where conflict log lines go (called on the background thread, one line
    // without trailing newline). Empty: standard error.
    std::function<void(std::string_view line)> log_line;
    // flush() waits at most this long.
    std::chrono::milliseconds flush_timeout{10'000};
};

struct MonitorSnapshot {
    std::uint64_t outcomes_total = 0;
    std::map<std::string, std::uint64_t> outcomes_by_kind;  // every kind, zeros included
    std::map<std::string, std::uint64_t> outcomes_by_path;
    std::map<std::string, std::uint64_t> failures_by_reason;  // failed outcomes only
    std::uint64_t conflicts_total = 0;            // conflict responses (sum of Outcome::conflicts)
    std::uint64_t conflicted_outcomes_total = 0;  // outcomes with conflicts > 0
    // Most conflicted resources, most first (ties by name), at most top_resources.
    std::vector<std::pair<std::string, std::uint64_t>> top_resources;
    std::uint64_t conflict_log_lines = 0;
    std::uint64_t events_dropped = 0;  // queue full
};

class Monitor final : public OutcomeSink {
  public:
    explicit Monitor(MonitorOptions options = {});
    ~Monitor() override;
    Monitor(const Monitor&) = delete;
    Monitor& operator=(const Monitor&) = delete;

    // Never blocks on I/O: a bounded hand-off (dropped + counted when full).
    void record(const Outcome& outcome) override;
    // Waits (up to flush_timeout) until queued events are counted and logged.
    void flush() override;

    MonitorSnapshot snapshot() const;
    // Prometheus text exposition format 0.0.4 (metric names in docs/engine.md).
    std::string prometheus_text() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The structured log line for a conflicted outcome (see the file comment),
// `now` as its "ts". Exposed for tests and for callers that log synchronously.
std::string conflict_log_line(const Outcome& outcome, WallTime now);

}  // namespace conflictlab::engine
