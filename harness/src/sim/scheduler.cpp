#include "conflictlab/harness/sim/scheduler.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace conflictlab::harness::sim {

Scheduler::Scheduler(VirtualClock& clock, SchedulerOptions options)
    : clock_(clock), options_(options) {}

// A 4-ary min-heap on (at_ns, seq), sifted with a hole instead of swaps: half
// the levels of a binary heap and a node's four children in two adjacent
// cache lines, which matters with tens of thousands of events pending. The
// order is total, so any correct heap pops the same sequence (determinism
// does not depend on the heap's shape).
namespace {
constexpr std::size_t kArity = 4;
}  // namespace

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
    const Entry e{std::max(at_ns, clock_.now_ns()), next_seq_++, event};
    std::size_t hole = heap_.size();
    heap_.push_back(e);
    while (hole > 0) {
        const std::size_t parent = (hole - 1) / kArity;
        if (!later(heap_[parent], e))
            break;
        heap_[hole] = heap_[parent];
        hole = parent;
    }
    heap_[hole] = e;
    peak_pending_ = std::max(peak_pending_, heap_.size());
}

void Scheduler::after(std::int64_t delay_ns, Event event) {
    at(clock_.now_ns() + std::max<std::int64_t>(0, delay_ns), event);
}

std::optional<Event> Scheduler::pop() {
    if (heap_.empty())
        return std::nullopt;
    const Entry top = heap_.front();
    const Entry last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n > 0) {
        // Sift the last entry down from the root.
        std::size_t hole = 0;
        for (;;) {
            const std::size_t first = hole * kArity + 1;
            if (first >= n)
                break;
            std::size_t best = first;
            const std::size_t end = std::min(first + kArity, n);
            for (std::size_t c = first + 1; c < end; ++c) {
                if (later(heap_[best], heap_[c]))
                    best = c;
            }
            if (!later(last, heap_[best]))
                break;
            heap_[hole] = heap_[best];
            hole = best;
        }
        heap_[hole] = last;
    }
    clock_.advance_to(top.at_ns);
    ++processed_;
    return top.event;
}

}  // namespace conflictlab::harness::sim
