#include "conflictlab/engine/backoff.hpp"

#include <algorithm>
#include <cmath>

#include "core/names.hpp"

namespace conflictlab::engine {

namespace {

constexpr detail::NameTable<BackoffKind, 6> kKindNames = {
    {BackoffKind::none, "none"},
    {BackoffKind::constant, "constant"},
    {BackoffKind::exponential, "exponential"},
    {BackoffKind::full_jitter, "full-jitter"},
    {BackoffKind::equal_jitter, "equal-jitter"},
    {BackoffKind::decorrelated_jitter, "decorrelated-jitter"},
};

// min(cap, base * multiplier^n) without overflow: pow() saturates to
// infinity long before n could wrap, and infinity compares above cap.
double expo(double base, double multiplier, double cap, std::uint64_t n) {
    if (base <= 0.0)
        return 0.0;
    double e = base * std::pow(multiplier, static_cast<double>(n));
    if (!std::isfinite(e) || e > cap)
        return cap;
    return e;
}

}  // namespace

std::string_view backoff_kind_name(BackoffKind kind) noexcept {
    return detail::name_of(kKindNames, kind);
}

std::optional<BackoffKind> parse_backoff_kind(std::string_view name) noexcept {
    return detail::value_of(kKindNames, name);
}

std::optional<BackoffPreset> find_backoff_preset(std::string_view name) noexcept {
    if (name == "aws-standard") {
        return BackoffPreset{"aws-standard",
                             BackoffOptions{BackoffKind::full_jitter, 100, 2.0, 20'000, 0.0}, 3};
    }
    if (name == "k8s-client-go") {
        return BackoffPreset{"k8s-client-go",
                             BackoffOptions{BackoffKind::exponential, 10, 1.0, 1'000, 0.1}, 5};
    }
    return std::nullopt;
}

std::chrono::milliseconds Backoff::next_delay(RandomSource& random) {
    const std::uint64_t n = retries_;
    if (retries_ != UINT64_MAX)
        ++retries_;

    const double base = static_cast<double>(std::max<std::int64_t>(0, options_.base_ms));
    const double cap = std::max(base, static_cast<double>(options_.cap_ms));
    double d = 0.0;
    switch (options_.kind) {
        case BackoffKind::none:
            return std::chrono::milliseconds{0};
        case BackoffKind::constant:
            d = base;
            break;
        case BackoffKind::exponential:
            d = expo(base, options_.multiplier, cap, n);
            break;
        case BackoffKind::full_jitter:
            d = random.uniform01() * expo(base, options_.multiplier, cap, n);
            break;
        case BackoffKind::equal_jitter: {
            const double e = expo(base, options_.multiplier, cap, n);
            d = e / 2.0 + random.uniform01() * (e / 2.0);
            break;
        }
        case BackoffKind::decorrelated_jitter: {
            const double prev = prev_ms_ < 0.0 ? base : prev_ms_;
            d = std::min(cap, base + random.uniform01() * (3.0 * prev - base));
            prev_ms_ = d;
            break;
        }
    }
    if (options_.jitter > 0.0)
        d += random.uniform01() * options_.jitter * d;
    d = std::clamp(d, 0.0, cap);
    return std::chrono::milliseconds{std::llround(d)};
}

void Backoff::reset() noexcept {
    retries_ = 0;
    prev_ms_ = -1.0;
}

}  // namespace conflictlab::engine
