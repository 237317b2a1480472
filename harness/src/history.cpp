#include "conflictlab/harness/history.hpp"

#include <array>
#include <utility>

namespace conflictlab::harness {

namespace {
constexpr std::array<std::pair<WorkloadKind, std::string_view>, 5> kWorkloadNames{{
    {WorkloadKind::set_add, "set-add"},
    {WorkloadKind::register_lww, "register"},
    {WorkloadKind::disjoint_fields, "disjoint-fields"},
    {WorkloadKind::overlapping_fields, "overlapping-fields"},
    {WorkloadKind::blind, "blind"},
}};
}  // namespace

std::string_view workload_kind_name(WorkloadKind kind) noexcept {
    for (const auto& [k, name] : kWorkloadNames) {
        if (k == kind)
            return name;
    }
    return "unknown";
}

std::optional<WorkloadKind> parse_workload_kind(std::string_view name) noexcept {
    for (const auto& [k, n] : kWorkloadNames) {
        if (n == name)
            return k;
    }
    return std::nullopt;
}

Acknowledgement acknowledgement_of(const engine::Outcome& outcome) noexcept {
    using engine::FailureReason;
    using engine::OutcomeKind;
    switch (outcome.kind) {
        case OutcomeKind::success:
        case OutcomeKind::resolved:
            return Acknowledgement::acknowledged;
        case OutcomeKind::discarded:
            return Acknowledgement::discarded;
        case OutcomeKind::failed:
            // A write whose fate is unknown may or may not be in the final
            // state; the checker must not count it either way.
            if (outcome.reason == FailureReason::timeout_indeterminate ||
                outcome.reason == FailureReason::deadline_exceeded ||
                outcome.reason == FailureReason::exhausted_transient) {
                return Acknowledgement::indeterminate;
            }
            return Acknowledgement::rejected;
    }
    return Acknowledgement::indeterminate;
}

}  // namespace conflictlab::harness
