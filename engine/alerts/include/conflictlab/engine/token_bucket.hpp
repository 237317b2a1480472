#pragma once
// TokenBucket: the alert rate limiter. Holds up to `burst` tokens, refilled
// continuously at `per_minute` tokens per minute; taking one is allowed when
// at least one whole token is there. Time comes from the caller (monotonic
// Timestamps), so tests drive it with a fake clock.
//
// Thread-safety: none (AlertSender guards it with its mutex).

#include <chrono>

#include "conflictlab/engine/messages.hpp"

namespace conflictlab::engine {

class TokenBucket {
  public:
    // REQUIRES: per_minute > 0, burst >= 1. Starts full at the first call.
    TokenBucket(double per_minute, double burst) noexcept
        : per_ns_(per_minute / 60e9), burst_(burst), tokens_(burst) {}

    // Takes a token if one is available at `now`.
    bool try_take(Timestamp now) noexcept {
        refill(now);
        if (tokens_ < 1.0)
            return false;
        tokens_ -= 1.0;
        return true;
    }

    // How long from `now` until a token is available (zero when one is).
    std::chrono::nanoseconds time_until_available(Timestamp now) noexcept {
        refill(now);
        if (tokens_ >= 1.0)
            return std::chrono::nanoseconds{0};
        return std::chrono::nanoseconds{static_cast<std::int64_t>((1.0 - tokens_) / per_ns_) + 1};
    }

    double tokens(Timestamp now) noexcept {
        refill(now);
        return tokens_;
    }

  private:
    void refill(Timestamp now) noexcept {
        if (started_ && now > last_) {
            tokens_ += static_cast<double>((now - last_).count()) * per_ns_;
            if (tokens_ > burst_)
                tokens_ = burst_;
        }
        if (!started_ || now > last_)
            last_ = now;
        started_ = true;
    }

    double per_ns_;
    double burst_;
    double tokens_;
    Timestamp last_{0};
    bool started_ = false;
};

}  // namespace conflictlab::engine
