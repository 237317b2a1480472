#include "conflictlab/mock/faults/seeded_random.hpp"

#include <cmath>
#include <numbers>

namespace conflictlab::mock {

double unit_interval_from_bits(std::uint64_t bits) noexcept {
    constexpr double two_to_minus_53 = 1.0 / 9007199254740992.0;  // 2^-53
    return static_cast<double>(bits >> 11) * two_to_minus_53;
}

double SeededRandom::standard_normal() {
    // u1 in (0, 1] so the logarithm is finite; u2 in [0, 1).
    const double u1 = 1.0 - uniform01();
    const double u2 = uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace conflictlab::mock
