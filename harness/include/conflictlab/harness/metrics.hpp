#pragma once
// Metrics of a run: a latency histogram with bounded memory, a per-second
// time series, and the summary (RunMetrics) computed from them and from the
// recorded operations. docs/harness.md "Metrics" defines every number.
//
// LatencyHistogram is log-linear in the manner of HdrHistogram: values below
// 2 * kSubBuckets nanoseconds get one bucket each; above, every power of two
// is split into kSubBuckets / 2 linear buckets, so a bucket's width is at
// most 1/128 of its values (< 0.8 % error). It covers up to 2^42 ns (~73
// minutes; larger values are clamped and the max is kept exactly) in a fixed
// ~37 KiB, and histograms merge by adding counts.
//
// Thread-safety: LatencyHistogram and TimeSeries are single-writer values.
// ShardedHistogram and TimeSeriesRecorder may be recorded into from any
// number of threads at once (relaxed atomics, shards chosen by thread) and
// snapshot while being recorded into.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/harness/history.hpp"

namespace conflictlab::harness {

class LatencyHistogram {
  public:
    static constexpr int kSubBucketBits = 8;  // 256 sub-buckets
    static constexpr std::uint64_t kSubBuckets = 1u << kSubBucketBits;
    static constexpr int kMaxBits = 42;  // 2^42 ns ~ 73 min
    static constexpr std::size_t kBucketCount =
        kSubBuckets + (kMaxBits - kSubBucketBits) * (kSubBuckets / 2);

    void record(std::chrono::nanoseconds value) noexcept { record_ns(value.count()); }
    void record_ns(std::int64_t ns) noexcept;
    void merge(const LatencyHistogram& other) noexcept;

    std::uint64_t count() const noexcept { return count_; }
    std::int64_t max_ns() const noexcept { return max_ns_; }
    std::int64_t min_ns() const noexcept { return count_ == 0 ? 0 : min_ns_; }
    double mean_ns() const noexcept;
    // The value at quantile q in [0, 1] (the highest value equivalent to the
    // bucket holding that rank, never above max). 0 when empty.
    std::int64_t quantile_ns(double q) const noexcept;

    // Bucket arithmetic, exposed for tests.
    static std::size_t bucket_of(std::int64_t ns) noexcept;
    static std::int64_t bucket_high_ns(std::size_t bucket) noexcept;

    // Adds raw counts (used by ShardedHistogram snapshots).
    void add_bucket(std::size_t bucket, std::uint64_t count) noexcept;
    void note_extremes(std::int64_t min_ns, std::int64_t max_ns, std::int64_t sum_ns) noexcept;

  private:
    std::array<std::uint64_t, kBucketCount> counts_{};
    std::uint64_t count_ = 0;
    std::int64_t max_ns_ = 0;
    std::int64_t min_ns_ = INT64_MAX;
    long double sum_ns_ = 0;
};

// Percentiles of a histogram, in milliseconds, as reported.
struct LatencySummary {
    std::uint64_t count = 0;
    double mean_ms = 0, p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
};
LatencySummary summarize(const LatencyHistogram& histogram);
nlohmann::json to_json(const LatencySummary& summary);

// Concurrent recording: a few shards of atomic buckets, picked by thread.
class ShardedHistogram {
  public:
    explicit ShardedHistogram(std::size_t shards = 4);
    ~ShardedHistogram();
    void record_ns(std::int64_t ns) noexcept;
    LatencyHistogram snapshot() const;

  private:
    struct Shard;
    std::vector<std::unique_ptr<Shard>> shards_;
};

// Counts per second of run time.
struct TimeSlot {
    std::uint64_t completed = 0;     // ops finished (any outcome)
    std::uint64_t acknowledged = 0;  // Success + Resolved
    std::uint64_t failed = 0;
    std::uint64_t conflicts = 0;  // conflict responses seen by ops finished here
};

struct TimeSeries {
    double slot_s = 1.0;          // width of a slot
    std::vector<TimeSlot> slots;  // slot i covers [i*slot_s, (i+1)*slot_s)
    bool truncated = false;       // events past the last slot were folded into it
};
nlohmann::json to_json(const TimeSeries& series);

// Records completions into per-second slots; memory is fixed at construction.
class TimeSeriesRecorder {
  public:
    // REQUIRES: max_slots >= 1.
    explicit TimeSeriesRecorder(std::size_t max_slots = 3600);
    ~TimeSeriesRecorder();
    void record(double at_s, bool acknowledged, bool failed, int conflicts) noexcept;
    // Slots up to and including the last one with data (or up to `until_s`).
    TimeSeries snapshot(double until_s) const;

  private:
    struct Slot;
    std::unique_ptr<Slot[]> slots_;
    std::size_t max_slots_;
    std::atomic<bool> truncated_{false};
};

// How busy each side was: CPU time of the threads of each side.
struct SideLoad {
    double cpu_s = 0;  // CPU seconds used by the side's threads
    int threads = 0;
    double utilization = 0;  // cpu_s / (wall_s * threads), 0..1
};

// One group's (or the whole run's) numbers.
struct GroupMetrics {
    std::string group;  // "" for the whole run
    std::uint64_t ops = 0;
    std::uint64_t acknowledged = 0;                 // Success + Resolved
    std::map<std::string, std::uint64_t> outcomes;  // by kind name, all four present
    std::map<std::string, std::uint64_t> paths;     // by path
    std::map<std::string, std::uint64_t> reasons;   // failure reason -> count (Failed only)
    std::uint64_t attempts = 0;                     // writes sent
    std::uint64_t conflicts = 0;                    // conflict responses
    std::uint64_t http_calls = 0;         // every request: writes, engine GETs, the op's own GET
    std::uint64_t retries_exhausted = 0;  // Failed: persistent-conflict or exhausted-transient
    std::uint64_t alerts = 0;             // outcomes that asked for an alert
    double goodput_per_s = 0;             // acknowledged / wall seconds
    double attempts_per_update = 0;       // attempts / ops
    double calls_per_success = 0;         // http_calls / acknowledged (0 when none)
    double conflict_rate = 0;             // conflicts / attempts
    LatencySummary latency;               // whole resolutions (start to Done)
    // The checker's anomalies whose ops belong to this group (filled by the
    // runner from the whole run's report; the run total is the report's).
    std::uint64_t lost_updates = 0;
    std::uint64_t phantom_writes = 0;
    std::uint64_t wrong_discards = 0;
    std::uint64_t anomalies = 0;
};
nlohmann::json to_json(const GroupMetrics& metrics);

// Accumulates GroupMetrics from finished operations (single-threaded: the
// runner feeds it the recorded history once the run is over).
class GroupAccumulator {
  public:
    explicit GroupAccumulator(std::string group) { m_.group = std::move(group); }
    // `extra_calls`: requests the harness made for this op outside the
    // engine (its GETs before the write, OpRecord::reads).
    void add(const OpRecord& op, int extra_calls);
    GroupMetrics finish(double wall_s) const;

  private:
    GroupMetrics m_;
    LatencyHistogram latency_;
};

}  // namespace conflictlab::harness
