#include "conflictlab/harness/sim/scheduler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace conflictlab::harness::sim {

Scheduler::Scheduler(VirtualClock& clock, SchedulerOptions options)
    : clock_(clock), options_(options) {}

// std::push_heap builds a max-heap; "later" as the ordering makes the earliest
// (at_ns, seq) the top.
bool Scheduler::later(const Entry& a, const Entry& b) noexcept {
    if (a.at_ns != b.at_ns)
        return a.at_ns > b.at_ns;
    return a.seq > b.seq;
}

void Scheduler::at(std::int64_t at_ns, Event event) {
    if (heap_.size() >= options_.max_pending) {
        throw std::length_error("simulation: more than " + std::to_string(options_.max_pending) +
                                " events pending at once");
    }
    heap_.push_back(Entry{std::max(at_ns, clock_.now_ns()), next_seq_++, event});
    std::push_heap(heap_.begin(), heap_.end(), later);
    peak_pending_ = std::max(peak_pending_, heap_.size());
}

void Scheduler::after(std::int64_t delay_ns, Event event) {
    at(clock_.now_ns() + std::max<std::int64_t>(0, delay_ns), event);
}

std::optional<Event> Scheduler::pop() {
    if (heap_.empty())
        return std::nullopt;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const Entry e = heap_.back();
    heap_.pop_back();
    clock_.advance_to(e.at_ns);
    ++processed_;
    return e.event;
}

}  // namespace conflictlab::harness::sim
