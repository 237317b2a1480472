#pragma once
// Fixed RunResults and OpRecords for the rendering tests.

#include "conflictlab/harness/results.hpp"

namespace conflictlab::harness::testing {

inline OpRecord op(const std::string& id, engine::OutcomeKind kind, const std::string& path,
                   engine::FailureReason reason = engine::FailureReason::none) {
    OpRecord r;
    r.op_id = id;
    r.writer_id = id.substr(0, id.find('-'));
    r.group = "default";
    r.resource_id = "r-0";
    r.outcome.kind = kind;
    r.outcome.path = path;
    r.outcome.reason = reason;
    r.outcome.op_id = id;
    r.outcome.attempts = 1;
    r.outcome.started = std::chrono::milliseconds(0);
    r.outcome.finished = std::chrono::milliseconds(2);
    if (kind == engine::OutcomeKind::failed)
        r.outcome.alert = true;
    return r;
}

inline RunResult sample_result() {
    RunResult r;
    r.version = "0.1.0";
    r.scenario_name = "quick <&> \"start\"";
    r.scenario_file = "scenarios/quickstart.json";
    r.seed = 42;
    r.reproduce = "conflictlab run scenarios/quickstart.json --seed 42";
    r.target = "embedded http://127.0.0.1:1234";
    r.started_at = "2026-11-28T10:00:00.000Z";
    r.wall_s = 2.0;
    r.writers = 4;
    GroupAccumulator acc("default");
    acc.add(op("w0-0", engine::OutcomeKind::success, "direct"), 1);
    acc.add(op("w1-0", engine::OutcomeKind::resolved, "refetch>merge>retry"), 1);
    acc.add(op("w2-0", engine::OutcomeKind::failed, "refetch>merge>retry",
               engine::FailureReason::persistent_conflict),
            1);
    r.total = acc.finish(r.wall_s);
    r.groups.push_back(r.total);
    r.total.group.clear();
    r.server_stats = {{"requests", {{"total", 9}, {"by_status", {{"200", 6}, {"412", 3}}}}},
                      {"fault_firings", {{"slow", 2}, {"drop", 1}}}};
    r.check.ops_checked = 3;
    r.check.acknowledged = 2;
    return r;
}

}  // namespace conflictlab::harness::testing
