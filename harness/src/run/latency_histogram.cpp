#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <thread>

#include "conflictlab/harness/metrics.hpp"

namespace conflictlab::harness {

namespace {
constexpr std::int64_t kMaxValueNs = (std::int64_t{1} << LatencyHistogram::kMaxBits) - 1;
constexpr std::uint64_t kHalf = LatencyHistogram::kSubBuckets / 2;
}  // namespace

std::size_t LatencyHistogram::bucket_of(std::int64_t ns) noexcept {
    const auto v = static_cast<std::uint64_t>(std::clamp<std::int64_t>(ns, 0, kMaxValueNs));
    if (v < kSubBuckets)
        return static_cast<std::size_t>(v);
    // v has b significant bits (b > kSubBucketBits): keep its top
    // kSubBucketBits bits; the shift selects the power-of-two band.
    const int shift = std::bit_width(v) - kSubBucketBits;  // >= 1
    const std::uint64_t top = v >> shift;                  // in [kHalf, kSubBuckets)
    return static_cast<std::size_t>(kSubBuckets + static_cast<std::uint64_t>(shift - 1) * kHalf +
                                    (top - kHalf));
}

std::int64_t LatencyHistogram::bucket_high_ns(std::size_t bucket) noexcept {
    if (bucket < kSubBuckets)
        return static_cast<std::int64_t>(bucket);
    const std::size_t rest = bucket - kSubBuckets;
    const int shift = static_cast<int>(rest / kHalf) + 1;
    const std::uint64_t top = kHalf + rest % kHalf;
    return static_cast<std::int64_t>(((top + 1) << shift) - 1);
}

void LatencyHistogram::record_ns(std::int64_t ns) noexcept {
    ns = std::max<std::int64_t>(ns, 0);
    ++counts_[bucket_of(ns)];
    ++count_;
    max_ns_ = std::max(max_ns_, ns);
    min_ns_ = std::min(min_ns_, ns);
    sum_ns_ += static_cast<long double>(ns);
}

void LatencyHistogram::add_bucket(std::size_t bucket, std::uint64_t count) noexcept {
    if (bucket >= kBucketCount || count == 0)
        return;
    counts_[bucket] += count;
    count_ += count;
}

void LatencyHistogram::note_extremes(std::int64_t min_ns, std::int64_t max_ns,
                                     std::int64_t sum_ns) noexcept {
    min_ns_ = std::min(min_ns_, min_ns);
    max_ns_ = std::max(max_ns_, max_ns);
    sum_ns_ += static_cast<long double>(sum_ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
    for (std::size_t i = 0; i < kBucketCount; ++i)
        counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ns_ = std::max(max_ns_, other.max_ns_);
    min_ns_ = std::min(min_ns_, other.min_ns_);
    sum_ns_ += other.sum_ns_;
}

double LatencyHistogram::mean_ns() const noexcept {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ns_ / static_cast<long double>(count_));
}

std::int64_t LatencyHistogram::quantile_ns(double q) const noexcept {
    if (count_ == 0)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    // The smallest rank r (1-based) with r >= q * count.
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBucketCount; ++i) {
        seen += counts_[i];
        if (seen >= rank)
            return std::min(bucket_high_ns(i), max_ns_);
    }
    return max_ns_;
}

LatencySummary summarize(const LatencyHistogram& h) {
    constexpr double kMs = 1e6;
    LatencySummary s;
    s.count = h.count();
    s.mean_ms = h.mean_ns() / kMs;
    s.p50_ms = static_cast<double>(h.quantile_ns(0.50)) / kMs;
    s.p90_ms = static_cast<double>(h.quantile_ns(0.90)) / kMs;
    s.p99_ms = static_cast<double>(h.quantile_ns(0.99)) / kMs;
    s.p999_ms = static_cast<double>(h.quantile_ns(0.999)) / kMs;
    s.max_ms = static_cast<double>(h.max_ns()) / kMs;
    return s;
}

nlohmann::json to_json(const LatencySummary& s) {
    const auto r = [](double ms) { return std::round(ms * 1000.0) / 1000.0; };
    return {{"count", s.count},      {"mean_ms", r(s.mean_ms)}, {"p50_ms", r(s.p50_ms)},
            {"p90_ms", r(s.p90_ms)}, {"p99_ms", r(s.p99_ms)},   {"p999_ms", r(s.p999_ms)},
            {"max_ms", r(s.max_ms)}};
}

struct ShardedHistogram::Shard {
    std::array<std::atomic<std::uint64_t>, LatencyHistogram::kBucketCount> counts{};
    std::atomic<std::int64_t> min_ns{INT64_MAX};
    std::atomic<std::int64_t> max_ns{0};
    std::atomic<std::int64_t> sum_ns{0};
};

ShardedHistogram::ShardedHistogram(std::size_t shards) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, shards); ++i) {
        shards_.push_back(std::make_unique<Shard>());
    }
}

ShardedHistogram::~ShardedHistogram() = default;

void ShardedHistogram::record_ns(std::int64_t ns) noexcept {
    ns = std::max<std::int64_t>(ns, 0);
    // Threads map to shards by id hash: concurrent recorders rarely share a
    // shard's cache lines, and no lock is taken.
    static thread_local const std::size_t tid =
        std::hash<std::thread::id>{}(std::this_thread::get_id());
    Shard& s = *shards_[tid % shards_.size()];
    s.counts[LatencyHistogram::bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
    s.sum_ns.fetch_add(ns, std::memory_order_relaxed);
    std::int64_t cur = s.max_ns.load(std::memory_order_relaxed);
    while (ns > cur && !s.max_ns.compare_exchange_weak(cur, ns, std::memory_order_relaxed)) {
    }
    cur = s.min_ns.load(std::memory_order_relaxed);
    while (ns < cur && !s.min_ns.compare_exchange_weak(cur, ns, std::memory_order_relaxed)) {
    }
}

LatencyHistogram ShardedHistogram::snapshot() const {
    LatencyHistogram h;
    for (const auto& s : shards_) {
        for (std::size_t i = 0; i < LatencyHistogram::kBucketCount; ++i) {
            h.add_bucket(i, s->counts[i].load(std::memory_order_relaxed));
        }
        h.note_extremes(s->min_ns.load(std::memory_order_relaxed),
                        s->max_ns.load(std::memory_order_relaxed),
                        s->sum_ns.load(std::memory_order_relaxed));
    }
    return h;
}

}  // namespace conflictlab::harness
