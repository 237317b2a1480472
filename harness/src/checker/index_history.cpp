// index_history: the one pass over ops and server writes every check builds
// on. Validation happens here, before any check runs, so a malformed history
// fails with a clear message instead of a misleading verdict.

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include "check_context.hpp"

namespace conflictlab::harness::checker_detail {

namespace {

// Stands in for a resource the server never reported (no writes, no body).
const ServerResource kUnknownResource{};

[[noreturn]] void fail(std::size_t index, std::string_view field, const std::string& problem) {
    throw std::invalid_argument("ops[" + std::to_string(index) + "]." + std::string(field) + ": " +
                                problem);
}

// RFC 6901, minus the empty pointer (the whole document is not a field).
bool is_member_pointer(std::string_view pointer) {
    if (pointer.empty() || pointer.front() != '/')
        return false;
    for (std::size_t i = 0; i < pointer.size(); ++i) {
        if (pointer[i] != '~')
            continue;
        if (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
            return false;
        }
    }
    return true;
}

void validate_op(const OpRecord& op, std::size_t index, WorkloadKind kind) {
    if (op.op_id.empty())
        fail(index, "op_id", "empty (every operation needs a unique id)");
    if (op.resource_id.empty())
        fail(index, "resource_id", "empty for op \"" + op.op_id + "\"");
    switch (kind) {
        case WorkloadKind::set_add:
        case WorkloadKind::blind:
            if (op.intent.element.empty()) {
                fail(index, "intent.element",
                     "empty for " + std::string(workload_kind_name(kind)) + " op \"" + op.op_id +
                         "\" (each op adds one unique element)");
            }
            return;
        case WorkloadKind::register_lww:
        case WorkloadKind::disjoint_fields:
        case WorkloadKind::overlapping_fields:
            if (op.intent.fields.empty()) {
                fail(index, "intent.fields",
                     "empty for " + std::string(workload_kind_name(kind)) + " op \"" + op.op_id +
                         "\" (each op writes at least one field)");
            }
            for (const auto& [pointer, value] : op.intent.fields) {
                if (!is_member_pointer(pointer)) {
                    fail(index, "intent.fields",
                         "\"" + pointer + "\" is not a JSON pointer to a member (op \"" + op.op_id +
                             "\"; expected e.g. \"/fields/f0\")");
                }
            }
            if (kind == WorkloadKind::register_lww && !op.intent.timestamp_ms) {
                fail(index, "intent.timestamp_ms",
                     "missing for register op \"" + op.op_id +
                         "\" (last-writer-wins is judged by it)");
            }
            return;
    }
}

void count_acknowledgement(CheckReport& report, Acknowledgement ack) {
    switch (ack) {
        case Acknowledgement::acknowledged:
            ++report.acknowledged;
            return;
        case Acknowledgement::rejected:
            ++report.rejected;
            return;
        case Acknowledgement::discarded:
            ++report.discarded;
            return;
        case Acknowledgement::indeterminate:
            ++report.indeterminate;
            return;
    }
}

// Rejects the first repeated op id in history order, naming both ops.
void reject_duplicate_ids(const CheckContext& c) {
    const auto& ids = c.ids_by_hash;
    std::optional<std::pair<std::uint32_t, std::uint32_t>> first;  // (repeat, original)
    for (std::size_t run = 0; run < ids.size();) {
        std::size_t end = run + 1;
        while (end < ids.size() && ids[end].first == ids[run].first)
            ++end;
        // Equal hashes: compare the ids themselves (runs are tiny).
        for (std::size_t a = run; a < end; ++a) {
            for (std::size_t b = a + 1; b < end; ++b) {
                if (c.op(ids[a].second).op_id != c.op(ids[b].second).op_id)
                    continue;
                const auto pair = std::make_pair(ids[b].second, ids[a].second);
                if (!first || pair < *first)
                    first = pair;
            }
        }
        run = end;
    }
    if (first) {
        fail(first->first, "op_id",
             "duplicate \"" + c.op(first->first).op_id + "\" (also ops[" +
                 std::to_string(first->second) + "])");
    }
}

// Maps the resource's recorded writes to ops (unknown-op for strangers) and
// notes deletions and foreign writes.
void map_server_writes(CheckContext& c, ResourceFacts& r) {
    const auto& writes = r.server->writes;
    c.report.server_writes += writes.size();
    c.report.server_writes_dropped += r.server->dropped;
    std::unordered_map<std::string_view, std::uint32_t> own;  // op id -> op, this resource
    own.reserve(r.ops.size());
    for (const std::uint32_t i : r.ops)
        own.emplace(c.op(i).op_id, i);
    for (std::size_t j = 0; j < writes.size(); ++j) {
        const ServerWrite& w = writes[j];
        if (w.etag.empty())
            r.last_delete_index = static_cast<std::int64_t>(j);
        if (w.op_id.empty()) {
            if (!w.etag.empty() && w.writer_id != kSetupWriterId)
                r.foreign_recorded = true;
            continue;
        }
        if (const auto it = own.find(w.op_id); it != own.end()) {
            c.ops[it->second].write_index = static_cast<std::int64_t>(j);
            continue;
        }
        const std::optional<std::uint32_t> other = c.find_op(w.op_id);
        const std::string elsewhere =
            other ? "that the client issued for resource \"" + c.op(*other).resource_id + "\""
                  : std::string("that no client op has");
        c.sink.report(kUnknownOp, r.id, w.op_id, [&] {
            return Anomaly{std::string(kUnknownOp),
                           std::string(r.id),
                           {w.op_id},
                           {w.etag},
                           "server write version " + std::to_string(w.version) + " (writer \"" +
                               w.writer_id + "\") names op id \"" + w.op_id + "\" " + elsewhere};
        });
    }
    if (r.server->deleted && (writes.empty() || !writes.back().etag.empty())) {
        // Deleted at the end although the recorded writes do not end with the
        // deletion: every recorded write is before it.
        r.last_delete_index = static_cast<std::int64_t>(writes.size());
    }
    r.deleted_once = r.last_delete_index >= 0 || r.server->deleted;
    r.foreign_possible = r.foreign_recorded || r.server->dropped > 0;
}

}  // namespace

std::optional<std::uint32_t> CheckContext::find_op(std::string_view op_id) const {
    const std::size_t hash = std::hash<std::string_view>{}(op_id);
    auto it = std::lower_bound(ids_by_hash.begin(), ids_by_hash.end(),
                               std::make_pair(hash, std::uint32_t{0}));
    for (; it != ids_by_hash.end() && it->first == hash; ++it) {
        if (op(it->second).op_id == op_id)
            return it->second;
    }
    return std::nullopt;
}

std::string_view CheckContext::written_etag(std::uint32_t index,
                                            const ResourceFacts& resource) const {
    const std::int64_t w = ops[index].write_index;
    if (w < 0)
        return {};
    return resource.server->writes[static_cast<std::size_t>(w)].etag;
}

void index_history(CheckContext& c) {
    const History& h = c.history;
    if (h.ops.size() > std::numeric_limits<std::uint32_t>::max()) {
        throw std::invalid_argument("ops: more than 4294967295 operations");
    }
    c.ops.assign(h.ops.size(), OpFacts{});
    c.ids_by_hash.reserve(h.ops.size());
    c.resources.reserve(h.resources.size());

    std::unordered_map<std::string_view, std::uint32_t> resource_index;
    resource_index.reserve(h.resources.size());
    for (const auto& [id, server] : h.resources) {
        resource_index.emplace(id, static_cast<std::uint32_t>(c.resources.size()));
        c.resources.push_back(ResourceFacts{.id = id, .server = &server});
    }

    for (std::size_t i = 0; i < h.ops.size(); ++i) {
        const OpRecord& op = h.ops[i];
        validate_op(op, i, h.kind);
        const auto index = static_cast<std::uint32_t>(i);
        c.ids_by_hash.emplace_back(std::hash<std::string_view>{}(op.op_id), index);
        c.ops[i].ack = acknowledgement_of(op.outcome);
        count_acknowledgement(c.report, c.ops[i].ack);
        auto [it, inserted] =
            resource_index.emplace(op.resource_id, static_cast<std::uint32_t>(c.resources.size()));
        if (inserted) {
            c.resources.push_back(ResourceFacts{.id = op.resource_id, .server = &kUnknownResource});
        }
        c.resources[it->second].ops.push_back(index);
    }
    c.report.ops_checked = h.ops.size();
    std::sort(c.ids_by_hash.begin(), c.ids_by_hash.end());
    reject_duplicate_ids(c);

    for (ResourceFacts& r : c.resources) {
        map_server_writes(c, r);
        for (const std::uint32_t i : r.ops) {
            OpFacts& f = c.ops[i];
            if (f.ack != Acknowledgement::acknowledged)
                continue;
            // Written before the last deletion (or never seen while the
            // resource was deleted at some point): the deletion may be what
            // removed the effect, so it is not required.
            const bool excused = r.deleted_once && f.write_index < r.last_delete_index;
            f.required = !excused;
            if (excused)
                ++c.report.excused_by_deletion;
        }
    }
}

}  // namespace conflictlab::harness::checker_detail
