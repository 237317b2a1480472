#pragma once
// Stats: request, conflict and latency counters for /_admin/stats and
// /metrics. Every counter is a relaxed atomic in a fixed array indexed by
// method and status, so counting costs one uncontended-lock-free add on the
// hot path and never allocates. reset() zeroes them one by one (a scrape
// during a reset may see a mix, which is fine for counters of a test server).
//
// Thread-safety: every member may be called concurrently.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace conflictlab::mock {

// Why a request was answered with a conflict, for conflicts_total{kind}.
enum class ConflictKind {
    none,
    precondition_failed,    // "412": If-Match / If-None-Match failed (412 status)
    conflict,               // "409": If-Match failed with conflict_status 409, or a
                            // body-version token mismatch
    precondition_required,  // "428"
    busy,                   // "busy": write inside the busy window (409)
};

std::string_view conflict_kind_label(ConflictKind kind) noexcept;

class Stats {
  public:
    static constexpr std::array<std::string_view, 7> kMethods = {"GET",    "HEAD", "PUT",  "PATCH",
                                                                 "DELETE", "POST", "OTHER"};
    // Upper bounds in seconds of the duration histogram's buckets (+Inf implied).
    static constexpr std::array<double, 16> kBuckets = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};

    void count_request(std::string_view method, int status) noexcept;
    void count_conflict(ConflictKind kind) noexcept;
    void observe_latency(std::string_view method, std::chrono::nanoseconds latency) noexcept;
    void reset() noexcept;

    // {"total": n, "by_method": {"GET": n}, "by_status": {"200": n}}
    nlohmann::json requests_json() const;
    // {"total": n, "by_kind": {"412": n, "409": n, "428": n, "busy": n}}
    nlohmann::json conflicts_json() const;
    // Appends the requests, conflicts and duration families (Prometheus text 0.0.4).
    void render_metrics(std::string& out) const;

  private:
    static constexpr int kStatusMin = 100;
    static constexpr int kStatusSlots = 500;  // 100..599
    static std::size_t method_index(std::string_view method) noexcept;

    std::array<std::array<std::atomic<std::uint64_t>, kStatusSlots>, kMethods.size()> requests_{};
    std::array<std::atomic<std::uint64_t>, 5> conflicts_{};
    struct Histogram {
        std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};  // last = +Inf
        std::atomic<std::uint64_t> sum_ns{0};
        std::atomic<std::uint64_t> count{0};
    };
    std::array<Histogram, kMethods.size()> latency_{};
};

// Prometheus label value escaping: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

}  // namespace conflictlab::mock
