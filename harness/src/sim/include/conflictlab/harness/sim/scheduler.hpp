#pragma once
// Scheduler: the discrete-event queue of a simulation. Events are small
// values (a kind, an actor, a tag the owner interprets) scheduled at a
// virtual instant; pop() returns the earliest one and advances the
// VirtualClock to its time. Events at the same instant come out in the
// order they were scheduled (a sequence number breaks ties), so a run is a
// pure function of its inputs: no hash order, no pointer order, no threads.
//
//   Scheduler s(clock, {.max_pending = 1'000'000});
//   s.after(5'000'000, {kArrive, writer, request_id});   // in 5 ms
//   while (auto e = s.pop()) dispatch(*e);                // clock follows
//
// Bounded: at most Options::max_pending events wait at once (schedule
// throws std::length_error beyond it: a model that floods its queue is a
// bug, reported, not memory exhausted).
//
// Thread-safety: none; one simulation thread. Ownership: the clock is
// borrowed and must outlive the scheduler.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "conflictlab/harness/sim/virtual_clock.hpp"

namespace conflictlab::harness::sim {

struct Event {
    std::uint32_t kind = 0;   // what happens; the owner's enumeration
    std::uint32_t actor = 0;  // who it happens to (e.g. a writer index)
    std::uint64_t tag = 0;    // which instance (e.g. a request id or a generation)

    bool operator==(const Event&) const = default;
};

struct SchedulerOptions {
    // Events waiting at once, at most; schedule() throws std::length_error
    // beyond it.
    std::size_t max_pending = 4'000'000;
};

class Scheduler {
  public:
    explicit Scheduler(VirtualClock& clock, SchedulerOptions options = {});

    // Schedules `event` at virtual instant `at_ns`. An instant in the past is
    // treated as now (an event cannot precede the one being processed).
    void at(std::int64_t at_ns, Event event);
    // Schedules `event` `delay_ns` after now (negative delays count as 0).
    void after(std::int64_t delay_ns, Event event);

    // The earliest event, with the clock advanced to its instant; nullopt
    // when nothing is pending (the clock stays where it is).
    std::optional<Event> pop();

    std::int64_t now_ns() const noexcept { return clock_.now_ns(); }
    std::size_t pending() const noexcept { return heap_.size(); }
    // Largest pending() seen.
    std::size_t peak_pending() const noexcept { return peak_pending_; }
    // Events returned by pop() so far.
    std::uint64_t processed() const noexcept { return processed_; }

  private:
    struct Entry {
        std::int64_t at_ns;
        std::uint64_t seq;
        Event event;
    };
    static bool later(const Entry& a, const Entry& b) noexcept;

    VirtualClock& clock_;
    SchedulerOptions options_;
    std::vector<Entry> heap_;  // 4-ary min-heap on (at_ns, seq)
    std::uint64_t next_seq_ = 0;
    std::uint64_t processed_ = 0;
    std::size_t peak_pending_ = 0;
};

}  // namespace conflictlab::harness::sim
