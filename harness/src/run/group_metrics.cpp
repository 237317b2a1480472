#include <chrono>
#include <cmath>

#include "conflictlab/harness/metrics.hpp"

namespace conflictlab::harness {

namespace {

double ratio(double num, double den) {
    return den > 0 ? num / den : 0.0;
}
double round3(double v) {
    return std::round(v * 1000.0) / 1000.0;
}

bool retries_ran_out(engine::FailureReason reason) {
    return reason == engine::FailureReason::persistent_conflict ||
           reason == engine::FailureReason::exhausted_transient;
}

}  // namespace

void GroupAccumulator::add(const OpRecord& op, int extra_calls) {
    const engine::Outcome& o = op.outcome;
    ++m_.ops;
    ++m_.outcomes[std::string(engine::outcome_kind_name(o.kind))];
    if (!o.path.empty())
        ++m_.paths[o.path];
    if (o.kind == engine::OutcomeKind::failed) {
        ++m_.reasons[std::string(engine::failure_reason_name(o.reason))];
        if (retries_ran_out(o.reason))
            ++m_.retries_exhausted;
    }
    if (o.kind == engine::OutcomeKind::success || o.kind == engine::OutcomeKind::resolved) {
        ++m_.acknowledged;
    }
    if (o.alert)
        ++m_.alerts;
    m_.attempts += static_cast<std::uint64_t>(std::max(0, o.attempts));
    m_.conflicts += static_cast<std::uint64_t>(std::max(0, o.conflicts));
    std::uint64_t calls = static_cast<std::uint64_t>(std::max(0, extra_calls));
    for (const auto& step : o.steps) {
        if (step.step != "sleep")
            ++calls;
    }
    m_.http_calls += calls;
    latency_.record(o.finished - o.started);
}

GroupMetrics GroupAccumulator::finish(double wall_s) const {
    GroupMetrics m = m_;
    for (const char* kind : {"success", "resolved", "discarded", "failed"}) {
        m.outcomes.try_emplace(kind, 0);
    }
    m.goodput_per_s = ratio(static_cast<double>(m.acknowledged), wall_s);
    m.attempts_per_update = ratio(static_cast<double>(m.attempts), static_cast<double>(m.ops));
    m.calls_per_success =
        ratio(static_cast<double>(m.http_calls), static_cast<double>(m.acknowledged));
    m.conflict_rate = ratio(static_cast<double>(m.conflicts), static_cast<double>(m.attempts));
    m.latency = summarize(latency_);
    return m;
}

nlohmann::json to_json(const GroupMetrics& m) {
    nlohmann::json j = {
        {"ops", m.ops},
        {"acknowledged", m.acknowledged},
        {"outcomes", m.outcomes},
        {"paths", m.paths},
        {"reasons", m.reasons},
        {"attempts", m.attempts},
        {"conflicts", m.conflicts},
        {"http_calls", m.http_calls},
        {"retries_exhausted", m.retries_exhausted},
        {"alerts", m.alerts},
        {"goodput_per_s", round3(m.goodput_per_s)},
        {"attempts_per_update", round3(m.attempts_per_update)},
        {"attempts_mean", round3(m.attempts_per_update)},
        {"calls_per_success", round3(m.calls_per_success)},
        {"conflict_rate", round3(m.conflict_rate)},
        {"latency", to_json(m.latency)},
    };
    if (!m.group.empty())
        j["group"] = m.group;
    return j;
}

}  // namespace conflictlab::harness
