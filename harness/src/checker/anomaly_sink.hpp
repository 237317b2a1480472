#pragma once
// AnomalySink: where the checks put what they find. It keeps the counters of
// a CheckReport exact and retains only the `limit` smallest anomalies in the
// report's order (resource_id, kind, first op id, then the other fields), in
// a bounded max-heap, so a blind run with a million lost updates costs
// O(limit) memory. `wanted` lets a check skip building an anomaly's strings
// when it cannot be retained.
//
// Thread-safety: none; one sink per check_history call.

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "conflictlab/harness/checker.hpp"

namespace conflictlab::harness::checker_detail {

// Anomaly kinds (docs/checker.md "Anomaly kinds").
inline constexpr std::string_view kLostUpdate = "lost-update";
inline constexpr std::string_view kPhantomWrite = "phantom-write";
inline constexpr std::string_view kLinearHistory = "linear-history";
inline constexpr std::string_view kWrongDiscard = "wrong-discard";
inline constexpr std::string_view kUnknownOp = "unknown-op";

class AnomalySink {
  public:
    // REQUIRES: report outlives the sink.
    AnomalySink(std::size_t limit, CheckReport& report) : limit_(limit), report_(report) {}

    // Counts one anomaly of `kind` and retains the one `build()` returns when
    // it is among the `limit` smallest. `build` runs only when that is
    // possible. REQUIRES: the built anomaly has this kind, resource and first
    // op id (or no op ids when first_op_id is empty).
    template <class Build>
    void report(std::string_view kind, std::string_view resource_id, std::string_view first_op_id,
                Build&& build) {
        count(kind);
        if (!wanted(resource_id, kind, first_op_id))
            return;
        keep(std::forward<Build>(build)());
    }

    // The retained anomalies, sorted. Leaves the sink empty.
    std::vector<Anomaly> take_sorted();

  private:
    void count(std::string_view kind);
    bool wanted(std::string_view resource_id, std::string_view kind,
                std::string_view first_op_id) const;
    void keep(Anomaly anomaly);

    std::size_t limit_;
    CheckReport& report_;
    std::vector<Anomaly> heap_;  // max-heap: front() is the largest retained
};

// The report order.
bool anomaly_less(const Anomaly& a, const Anomaly& b);

}  // namespace conflictlab::harness::checker_detail
