#pragma once
// Backoff: the delay before the next retry, as a small value object in the
// style of Envoy/gRPC. It returns a *delay* (never an absolute time), takes its
// random source by reference on every call, and can be reset().
//
// Algorithms (n = number of delays already handed out since construction or
// reset(), starting at 0; all values in milliseconds; U(a, b) uniform):
//   none          0
//   constant      base
//   exponential   expo(n) = min(cap, base * multiplier^n)
//   full-jitter   U(0, expo(n))                          (AWS "Full Jitter")
//   equal-jitter  expo(n)/2 + U(0, expo(n)/2)            (AWS "Equal Jitter")
//   decorrelated  prev = min(cap, U(base, 3 * prev)), prev starts at base
//                                                        (AWS "Decorrelated")
// then, for every kind but none, the Kubernetes-style jitter fraction j:
//   d = d + U(0, j * d)            (client-go wait.Jitter), applied when j > 0
// and finally d = min(cap, d), rounded to the nearest millisecond.
// Arithmetic is done in double and clamped before conversion, so attempt
// 10000 with multiplier 2 yields cap, never an overflow.
//
// Thread-safety: a value; use one instance per resolution.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "conflictlab/engine/random.hpp"

namespace conflictlab::engine {

enum class BackoffKind {
    none,
    constant,
    exponential,
    full_jitter,
    equal_jitter,
    decorrelated_jitter
};

// "none", "constant", "exponential", "full-jitter", "equal-jitter", "decorrelated-jitter".
std::string_view backoff_kind_name(BackoffKind kind) noexcept;
std::optional<BackoffKind> parse_backoff_kind(std::string_view name) noexcept;

struct BackoffOptions {
    // Which formula (see the file comment). Default: AWS full jitter.
    BackoffKind kind = BackoffKind::full_jitter;
    // First delay / scale of the formula, milliseconds. >= 0.
    std::int64_t base_ms = 100;
    // Growth per retry for exponential, full- and equal-jitter. >= 1.0.
    double multiplier = 2.0;
    // Upper bound of any delay, milliseconds. >= base_ms.
    std::int64_t cap_ms = 20'000;
    // Kubernetes-style extra jitter fraction j in [0, 10]: d += U(0, j*d).
    double jitter = 0.0;

    bool operator==(const BackoffOptions&) const = default;
};

// A named, documented setting. Presets also carry the attempt count they are
// known for, which Policy adopts unless max_attempts is given explicitly.
struct BackoffPreset {
    std::string_view name;
    BackoffOptions options;
    int max_attempts = 3;
};

// "aws-standard": full jitter, base 100 ms, cap 20 s, 3 attempts.
// "k8s-client-go": retry.DefaultRetry = {Steps 5, Duration 10 ms, Factor 1.0,
//                  Jitter 0.1}: exponential with multiplier 1.0 (a constant
//                  10 ms) plus 10 % jitter, 5 attempts, cap 1 s (client-go has
//                  none; ours is only a bound).
std::optional<BackoffPreset> find_backoff_preset(std::string_view name) noexcept;

class Backoff {
  public:
    explicit Backoff(BackoffOptions options = {}) noexcept : options_(options) {}

    // The delay to wait before the next retry; advances the retry count.
    std::chrono::milliseconds next_delay(RandomSource& random);

    // Forget the history (retry count and decorrelated state).
    void reset() noexcept;

    // Delays handed out since construction or reset().
    std::uint64_t retries() const noexcept { return retries_; }
    const BackoffOptions& options() const noexcept { return options_; }

  private:
    BackoffOptions options_;
    std::uint64_t retries_ = 0;
    double prev_ms_ = -1.0;  // decorrelated jitter state; < 0 = not started
};

}  // namespace conflictlab::engine
