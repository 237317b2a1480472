#include "run_steps.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "conflictlab/harness/checker.hpp"
#include "conflictlab/harness/metrics.hpp"

namespace conflictlab::harness::run_detail {

namespace {

constexpr std::size_t kFailedOpsKept = 50;

// Per-group anomaly counts from the full anomaly list.
void attribute_anomalies(RunResult& r, const CheckReport& full, const std::vector<OpRecord>& ops) {
    std::unordered_map<std::string_view, std::size_t> group_of_op;
    std::unordered_map<std::string, std::size_t> group_index;
    for (std::size_t g = 0; g < r.groups.size(); ++g)
        group_index[r.groups[g].group] = g;
    for (const auto& op : ops) {
        const auto it = group_index.find(op.group);
        if (it != group_index.end())
            group_of_op[op.op_id] = it->second;
    }
    for (const auto& a : full.anomalies) {
        std::set<std::size_t> groups;
        for (const auto& id : a.op_ids) {
            const auto it = group_of_op.find(id);
            if (it != group_of_op.end())
                groups.insert(it->second);
        }
        for (const std::size_t g : groups) {
            GroupMetrics& m = r.groups[g];
            ++m.anomalies;
            if (a.kind == "lost-update")
                ++m.lost_updates;
            if (a.kind == "phantom-write")
                ++m.phantom_writes;
            if (a.kind == "wrong-discard")
                ++m.wrong_discards;
        }
    }
}

}  // namespace

void add_op_metrics(RunResult& r, const Scenario& scenario, const std::vector<OpRecord>& ops) {
    std::vector<GroupAccumulator> groups;
    std::unordered_map<std::string, std::size_t> group_index;
    for (std::size_t g = 0; g < scenario.groups.size(); ++g) {
        groups.emplace_back(scenario.groups[g].name);
        group_index[scenario.groups[g].name] = g;
    }
    GroupAccumulator total("");
    for (const auto& op : ops) {
        // The op's own GETs before its write are calls too.
        total.add(op, op.reads);
        groups[group_index.at(op.group)].add(op, op.reads);
        if (op.outcome.kind == engine::OutcomeKind::failed &&
            r.failed_ops.size() < kFailedOpsKept) {
            r.failed_ops.push_back(
                {op.op_id, op.writer_id, op.group, op.resource_id, "Failed", op.outcome.path,
                 std::string(engine::failure_reason_name(op.outcome.reason)), op.outcome.detail});
        }
    }
    r.total = total.finish(r.wall_s);
    for (const auto& g : groups)
        r.groups.push_back(g.finish(r.wall_s));
    r.history_ops = ops.size();
}

void check_and_gate(RunResult& r, const Scenario& scenario, const History& history,
                    std::size_t anomaly_limit) {
    CheckOptions check_options;
    check_options.anomaly_limit = SIZE_MAX;  // all, for per-group counts; cut below
    try {
        CheckReport full = check_history(history, check_options);
        attribute_anomalies(r, full, history.ops);
        if (full.anomalies.size() > anomaly_limit)
            full.anomalies.resize(anomaly_limit);
        r.check = std::move(full);
    } catch (const std::exception& e) {
        r.errors.push_back(std::string("checker: ") + e.what());
    }
    evaluate_expectations(r, scenario.expect, history.ops);
}

}  // namespace conflictlab::harness::run_detail
