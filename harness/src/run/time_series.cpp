#include <algorithm>
#include <cmath>

#include "conflictlab/harness/metrics.hpp"

namespace conflictlab::harness {

struct TimeSeriesRecorder::Slot {
    std::atomic<std::uint64_t> completed{0};
    std::atomic<std::uint64_t> acknowledged{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> conflicts{0};
};

TimeSeriesRecorder::TimeSeriesRecorder(std::size_t max_slots)
    : slots_(std::make_unique<Slot[]>(std::max<std::size_t>(1, max_slots))),
      max_slots_(std::max<std::size_t>(1, max_slots)) {}

TimeSeriesRecorder::~TimeSeriesRecorder() = default;

void TimeSeriesRecorder::record(double at_s, bool acknowledged, bool failed,
                                int conflicts) noexcept {
    auto index = static_cast<std::size_t>(std::max(0.0, std::floor(at_s)));
    if (index >= max_slots_) {
        index = max_slots_ - 1;
        truncated_.store(true, std::memory_order_relaxed);
    }
    Slot& s = slots_[index];
    s.completed.fetch_add(1, std::memory_order_relaxed);
    if (acknowledged)
        s.acknowledged.fetch_add(1, std::memory_order_relaxed);
    if (failed)
        s.failed.fetch_add(1, std::memory_order_relaxed);
    if (conflicts > 0) {
        s.conflicts.fetch_add(static_cast<std::uint64_t>(conflicts), std::memory_order_relaxed);
    }
}

TimeSeries TimeSeriesRecorder::snapshot(double until_s) const {
    TimeSeries out;
    out.truncated = truncated_.load(std::memory_order_relaxed);
    std::size_t last = 0;  // one past the last slot to report
    for (std::size_t i = 0; i < max_slots_; ++i) {
        if (slots_[i].completed.load(std::memory_order_relaxed) != 0)
            last = i + 1;
    }
    const auto wanted = static_cast<std::size_t>(std::max(0.0, std::ceil(until_s)));
    last = std::min(max_slots_, std::max(last, wanted));
    out.slots.reserve(last);
    for (std::size_t i = 0; i < last; ++i) {
        const Slot& s = slots_[i];
        out.slots.push_back({s.completed.load(std::memory_order_relaxed),
                             s.acknowledged.load(std::memory_order_relaxed),
                             s.failed.load(std::memory_order_relaxed),
                             s.conflicts.load(std::memory_order_relaxed)});
    }
    return out;
}

nlohmann::json to_json(const TimeSeries& series) {
    nlohmann::json completed = nlohmann::json::array();
    nlohmann::json acknowledged = nlohmann::json::array();
    nlohmann::json failed = nlohmann::json::array();
    nlohmann::json conflicts = nlohmann::json::array();
    for (const auto& s : series.slots) {
        completed.push_back(s.completed);
        acknowledged.push_back(s.acknowledged);
        failed.push_back(s.failed);
        conflicts.push_back(s.conflicts);
    }
    return {{"slot_s", series.slot_s}, {"truncated", series.truncated},
            {"completed", completed},  {"acknowledged", acknowledged},
            {"failed", failed},        {"conflicts", conflicts}};
}

}  // namespace conflictlab::harness
