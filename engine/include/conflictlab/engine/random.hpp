#pragma once
// RandomSource: the one way the engine gets randomness (backoff jitter). The
// engine never seeds or owns a generator; the driver injects one by reference,
// so a run is reproduced from its seed and tests substitute exact values.
//
// Two seeded implementations are provided: SplitMix64 (tiny, used to expand a
// seed) and Xoshiro256 (xoshiro256**, the default for drivers and simulation).
// Child seeds for many resolutions are drawn from one top-level generator.
//
// Thread-safety: none; a generator is used by one thread at a time.
// Ownership: callers own generators; the engine holds references only for the
// lifetime of the object it was given to (see Resolution).

#include <array>
#include <cstdint>

namespace conflictlab::engine {

class RandomSource {
  public:
    virtual ~RandomSource() = default;

    // 64 uniformly distributed bits.
    virtual std::uint64_t next() = 0;

    // Uniform in [0, 1). The default uses the top 53 bits of next(); tests may
    // override it to script exact values.
    virtual double uniform01();
};

// SplitMix64 (Steele, Lea, Flood 2014). Every seed, including 0, is valid.
class SplitMix64 final : public RandomSource {
  public:
    explicit SplitMix64(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t next() override;

  private:
    std::uint64_t state_;
};

// xoshiro256** (Blackman, Vigna 2018), state expanded from the seed with
// SplitMix64 as its authors recommend.
class Xoshiro256 final : public RandomSource {
  public:
    explicit Xoshiro256(std::uint64_t seed) noexcept;
    std::uint64_t next() override;

  private:
    std::array<std::uint64_t, 4> s_{};
};

}  // namespace conflictlab::engine
