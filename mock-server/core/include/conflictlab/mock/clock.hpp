#pragma once
// Time for the mock server core. All reads of time go through this interface
// so unit tests use ManualClock and the simulator its virtual clock.
// `steady_now` measures durations (busy windows, rule "after" triggers, token
// buckets); `wall_now` is for display only (Last-Modified, history times).
//
// Thread-safety: implementations must be safe to call from many threads.

#include <atomic>
#include <chrono>

#include "conflictlab/common/http_date.hpp"

namespace conflictlab::mock {

using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
public:
    virtual ~Clock() = default;
    virtual SteadyTime steady_now() const = 0;
    virtual WallTime wall_now() const = 0;
};

class SystemClock final : public Clock {
public:
    SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
    WallTime wall_now() const override { return std::chrono::system_clock::now(); }
};

// A clock that moves only when told to. Wall time starts at a fixed instant
// (2026-01-01T00:00:00Z) so outputs are reproducible.
class ManualClock final : public Clock {
public:
    SteadyTime steady_now() const override { return SteadyTime{elapsed()}; }
    WallTime wall_now() const override {
        using namespace std::chrono;
        return WallTime{sys_days{2026y / January / 1}} + duration_cast<WallTime::duration>(elapsed());
    }
    void advance(std::chrono::nanoseconds d) { elapsed_ns_ += d.count(); }

private:
    std::chrono::nanoseconds elapsed() const { return std::chrono::nanoseconds{elapsed_ns_.load()}; }
    std::atomic<long long> elapsed_ns_{0};
};

}  // namespace conflictlab::mock
