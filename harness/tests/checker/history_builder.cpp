#include "history_builder.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

namespace conflictlab::harness::testing {

engine::Outcome outcome_of(Fate fate) {
    engine::Outcome o;
    switch (fate) {
        case Fate::success:
            o.kind = engine::OutcomeKind::success;
            break;
        case Fate::resolved:
            o.kind = engine::OutcomeKind::resolved;
            break;
        case Fate::discarded:
            o.kind = engine::OutcomeKind::discarded;
            break;
        case Fate::failed:
            o.kind = engine::OutcomeKind::failed;
            o.reason = engine::FailureReason::persistent_conflict;
            break;
        case Fate::timeout:
            o.kind = engine::OutcomeKind::failed;
            o.reason = engine::FailureReason::timeout_indeterminate;
            break;
    }
    return o;
}

OpRecord set_op(std::string op_id, std::string resource_id, std::string element, Fate fate) {
    OpRecord op;
    op.op_id = std::move(op_id);
    op.writer_id = "w";
    op.resource_id = std::move(resource_id);
    op.intent.element = std::move(element);
    op.outcome = outcome_of(fate);
    return op;
}

OpRecord field_op(std::string op_id, std::string resource_id, std::map<std::string, json> fields,
                  std::optional<std::int64_t> timestamp_ms, Fate fate, double invoked_ms,
                  double completed_ms, std::string writer_id) {
    OpRecord op;
    op.op_id = std::move(op_id);
    op.writer_id = std::move(writer_id);
    op.resource_id = std::move(resource_id);
    op.intent.fields = std::move(fields);
    op.intent.timestamp_ms = timestamp_ms;
    op.invoked_ms = invoked_ms;
    op.completed_ms = completed_ms;
    op.outcome = outcome_of(fate);
    return op;
}

ServerWrite write(std::uint64_t version, std::string etag, std::string replaced_etag,
                  std::string op_id) {
    ServerWrite w;
    w.version = version;
    w.named_etag = replaced_etag;
    w.etag = std::move(etag);
    w.replaced_etag = std::move(replaced_etag);
    w.conditional = true;
    w.method = "PUT";
    w.writer_id = "w";
    w.op_id = std::move(op_id);
    return w;
}

ServerWrite blind_write(std::uint64_t version, std::string etag, std::string replaced_etag,
                        std::string op_id) {
    ServerWrite w = write(version, std::move(etag), std::move(replaced_etag), std::move(op_id));
    w.conditional = false;
    w.named_etag.clear();
    return w;
}

std::vector<ServerWrite> chain(const std::vector<std::string>& op_ids, const std::string& prefix) {
    std::vector<ServerWrite> writes;
    std::string previous;
    for (std::size_t i = 0; i < op_ids.size(); ++i) {
        std::string etag = prefix + std::to_string(i + 1);
        writes.push_back(write(i + 1, etag, previous, op_ids[i]));
        previous = std::move(etag);
    }
    return writes;
}

ServerResource resource(std::string id, std::vector<ServerWrite> writes, json final_body) {
    ServerResource r;
    r.id = std::move(id);
    r.final_etag = writes.empty() ? std::string() : writes.back().etag;
    r.writes = std::move(writes);
    r.final_body = std::move(final_body);
    return r;
}

json items(const std::vector<std::string>& elements) {
    return {{"items", elements}};
}

json stamped(json value, std::int64_t ts) {
    return {{"value", std::move(value)}, {"ts", ts}};
}

History make_history(WorkloadKind kind, std::vector<OpRecord> ops,
                     std::vector<ServerResource> resources) {
    History h;
    h.kind = kind;
    h.ops = std::move(ops);
    for (auto& r : resources) {
        std::string id = r.id;
        h.resources.emplace(std::move(id), std::move(r));
    }
    return h;
}

std::string check_error(const History& history) {
    try {
        check_history(history);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no exception)";
}

Anomaly only_anomaly(const CheckReport& report) {
    EXPECT_EQ(report.anomalies.size(), 1u);
    EXPECT_EQ(report.anomalies_total, 1u);
    return report.anomalies.size() == 1 ? report.anomalies.front() : Anomaly{};
}

}  // namespace conflictlab::harness::testing
