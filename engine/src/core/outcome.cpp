#include "conflictlab/engine/outcome.hpp"

#include "core/names.hpp"

namespace conflictlab::engine {

namespace {

constexpr detail::NameTable<OutcomeKind, 4> kKindNames = {
    {OutcomeKind::success, "success"},
    {OutcomeKind::resolved, "resolved"},
    {OutcomeKind::discarded, "discarded"},
    {OutcomeKind::failed, "failed"},
};

constexpr detail::NameTable<FailureReason, 13> kReasonNames = {
    {FailureReason::none, "none"},
    {FailureReason::persistent_conflict, "persistent-conflict"},
    {FailureReason::deleted, "deleted"},
    {FailureReason::irreconcilable_merge, "irreconcilable-merge"},
    {FailureReason::weak_etag_only, "weak-etag-only"},
    {FailureReason::missing_token, "missing-token"},
    {FailureReason::invalid_body, "invalid-body"},
    {FailureReason::precondition_required, "precondition-required"},
    {FailureReason::non_retryable_4xx, "non-retryable-4xx"},
    {FailureReason::unexpected_status, "unexpected-status"},
    {FailureReason::exhausted_transient, "exhausted-transient"},
    {FailureReason::timeout_indeterminate, "timeout-indeterminate"},
    {FailureReason::deadline_exceeded, "deadline-exceeded"},
};

constexpr detail::NameTable<FreshnessSignal, 4> kSignalNames = {
    {FreshnessSignal::not_checked, "not-checked"},
    {FreshnessSignal::business_timestamp, "business-timestamp"},
    {FreshnessSignal::last_modified, "last-modified"},
    {FreshnessSignal::none, "none"},
};

template <class T>
nlohmann::json optional_json(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

std::string_view outcome_kind_name(OutcomeKind v) noexcept {
    return detail::name_of(kKindNames, v);
}
std::string_view failure_reason_name(FailureReason v) noexcept {
    return detail::name_of(kReasonNames, v);
}
std::string_view freshness_signal_name(FreshnessSignal v) noexcept {
    return detail::name_of(kSignalNames, v);
}
std::optional<OutcomeKind> parse_outcome_kind(std::string_view name) noexcept {
    return detail::value_of(kKindNames, name);
}
std::optional<FailureReason> parse_failure_reason(std::string_view name) noexcept {
    return detail::value_of(kReasonNames, name);
}
std::optional<FreshnessSignal> parse_freshness_signal(std::string_view name) noexcept {
    return detail::value_of(kSignalNames, name);
}

nlohmann::json to_json(const Outcome& o) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : o.steps) {
        steps.push_back({{"step", s.step},
                         {"started_ns", (s.started - o.started).count()},
                         {"duration_ns", (s.finished - s.started).count()},
                         {"status", s.status},
                         {"error", s.error}});
    }
    return {
        {"kind", outcome_kind_name(o.kind)},
        {"path", o.path},
        {"reason", failure_reason_name(o.reason)},
        {"detail", o.detail},
        {"notes", o.notes},
        {"resource_id", o.resource_id},
        {"method", write_method_name(o.method)},
        {"correlation_id", o.correlation_id},
        {"event_id", o.event_id},
        {"writer_id", o.writer_id},
        {"op_id", o.op_id},
        {"attempts", o.attempts},
        {"conflicts", o.conflicts},
        {"statuses", o.statuses},
        {"token_before", optional_json(o.token_before)},
        {"token_after", optional_json(o.token_after)},
        {"freshness", freshness_signal_name(o.freshness)},
        {"steps", std::move(steps)},
        {"duration_ns", (o.finished - o.started).count()},
        {"final_body", optional_json(o.final_body)},
        {"delta", optional_json(o.delta)},
        {"alert", o.alert},
    };
}

}  // namespace conflictlab::engine
