#pragma once
// SeededRandom: the fault injector's only source of randomness. std::mt19937_64
// produces the same 64-bit sequence everywhere (its output is fixed by the C++
// standard); the distributions are written out here instead of using
// <random>'s, whose algorithms differ between standard libraries. So the same
// seed gives the same fault decisions on every platform (up to the last bit
// of libm's log/exp/cos, which the rounding to whole milliseconds absorbs).
//
// Thread-safety: none; the owner serializes access (FaultInjector holds it
// under its mutex).

#include <cstdint>
#include <random>

namespace conflictlab::mock {

// A double in [0, 1) from the top 53 bits of `bits`: every value is a
// multiple of 2^-53, so the mapping is exact and portable.
double unit_interval_from_bits(std::uint64_t bits) noexcept;

class SeededRandom {
  public:
    explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}

    void reseed(std::uint64_t seed) { engine_.seed(seed); }

    std::uint64_t next_u64() { return engine_(); }
    // Uniform in [0, 1); one draw.
    double uniform01() { return unit_interval_from_bits(engine_()); }
    // Uniform in [lo, hi); one draw. REQUIRES: lo <= hi.
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
    // Standard normal by Box-Muller (the cosine branch); two draws, no cached
    // second value, so every sample costs the same number of draws.
    double standard_normal();
    // True with probability p; one draw (also for p = 0 and p = 1, so the
    // sequence of draws does not depend on p).
    bool bernoulli(double p) { return uniform01() < p; }

  private:
    std::mt19937_64 engine_;
};

}  // namespace conflictlab::mock
