#pragma once
// VirtualClock: simulated time. It moves only when the simulator's scheduler
// pops the next event (advance_to), never by itself; it is the one clock of a
// simulated run, read by the mock server's core (as a mock::Clock) and by the
// simulated writers (engine timestamps, business time).
//
// Steady time starts at 0 ns; wall time starts at a fixed instant
// (2026-01-01T00:00:00Z, the same as mock::ManualClock), so Last-Modified
// headers, Retry-After dates and business timestamps are reproducible.
//
// Thread-safety: none needed; a simulation runs on one thread. The
// mock::Clock interface asks for thread-safe reads: reads are plain loads of
// a value that only the simulation thread writes.

#include <chrono>
#include <cstdint>
#include <stdexcept>

#include "conflictlab/mock/clock.hpp"

namespace conflictlab::harness::sim {

class VirtualClock final : public mock::Clock {
  public:
    // Nanoseconds since the start of the run.
    std::int64_t now_ns() const noexcept { return now_ns_; }

    // REQUIRES: ns >= now_ns() (time never goes backwards); throws
    // std::logic_error otherwise and keeps the current time.
    void advance_to(std::int64_t ns) {
        if (ns < now_ns_)
            throw std::logic_error("VirtualClock::advance_to: time cannot go backwards");
        now_ns_ = ns;
    }

    mock::SteadyTime steady_now() const override {
        return mock::SteadyTime{std::chrono::nanoseconds{now_ns_}};
    }
    WallTime wall_now() const override {
        return wall_epoch() +
               std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds{now_ns_});
    }

    // The wall time of virtual instant 0.
    static WallTime wall_epoch() {
        using namespace std::chrono;
        return WallTime{sys_days{2026y / January / 1}};
    }

  private:
    std::int64_t now_ns_ = 0;
};

}  // namespace conflictlab::harness::sim
