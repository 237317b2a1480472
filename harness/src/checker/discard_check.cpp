// wrong-discard (register): the engine discards an update as stale only when
// the document it met was newer. Freshness is document-level (the business
// timestamp at the policy's timestamp_pointer, docs/scenarios.md "register"),
// and the document it met was written by some applied op. So a right discard
// has a witness: an op on the same resource, applied (recorded by the server
// or acknowledged), invoked no later than the discarded op completed (else it
// could not have been met), with a timestamp >= the discarded op's. No
// witness: wrong-discard. The witness may have written other fields: ops
// write some of the fields, the timestamp covers the whole document.

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

#include "check_context.hpp"

namespace conflictlab::harness::checker_detail {

namespace {

// Applied writes of one resource ordered by invocation, with the running
// maximum timestamp, so "newest applied write invoked by time t" is a binary
// search rather than a scan (a hot resource can carry a million ops).
struct Witnesses {
    std::vector<double> invoked_ms;        // ascending
    std::vector<std::uint32_t> newest_op;  // prefix argmax of the timestamp
};

bool applied(const CheckContext& c, std::uint32_t op) {
    const OpFacts& f = c.ops[op];
    // A discarded op is never its own (or another's) witness: it was not
    // applied as far as the client knows.
    if (f.ack == Acknowledgement::discarded)
        return false;
    return f.write_index >= 0 || f.ack == Acknowledgement::acknowledged;
}

Witnesses build_witnesses(const CheckContext& c, const ResourceFacts& r) {
    std::vector<std::uint32_t> ops;
    for (const std::uint32_t op : r.ops) {
        if (applied(c, op))
            ops.push_back(op);
    }
    std::stable_sort(ops.begin(), ops.end(), [&](std::uint32_t a, std::uint32_t b) {
        return c.op(a).invoked_ms < c.op(b).invoked_ms;
    });
    Witnesses w;
    w.invoked_ms.reserve(ops.size());
    w.newest_op.reserve(ops.size());
    for (const std::uint32_t op : ops) {
        w.invoked_ms.push_back(c.op(op).invoked_ms);
        const bool newer = w.newest_op.empty() || *c.op(op).intent.timestamp_ms >
                                                      *c.op(w.newest_op.back()).intent.timestamp_ms;
        w.newest_op.push_back(newer ? op : w.newest_op.back());
    }
    return w;
}

// The newest applied write invoked no later than `by_ms`, if any.
std::optional<std::uint32_t> newest_before(const Witnesses& w, double by_ms) {
    const auto end = std::upper_bound(w.invoked_ms.begin(), w.invoked_ms.end(), by_ms);
    if (end == w.invoked_ms.begin())
        return std::nullopt;
    return w.newest_op[static_cast<std::size_t>(end - w.invoked_ms.begin() - 1)];
}

}  // namespace

void check_discards(CheckContext& c, const ResourceFacts& r) {
    std::vector<std::uint32_t> discarded;
    for (const std::uint32_t i : r.ops) {
        if (c.ops[i].ack == Acknowledgement::discarded)
            discarded.push_back(i);
    }
    if (discarded.empty())
        return;
    // A deletion (DeletedPolicy::drop discards) or a foreign write (it may
    // carry any timestamp) explains a discard the ops cannot.
    if (r.deleted_once) {
        c.report.excused_by_deletion += discarded.size();
        return;
    }
    if (r.foreign_recorded) {
        c.report.excused_by_foreign += discarded.size();
        return;
    }

    const Witnesses witnesses = build_witnesses(c, r);
    for (const std::uint32_t d : discarded) {
        const OpRecord& op = c.op(d);
        const std::int64_t ts = *op.intent.timestamp_ms;
        // The newest applied write it could have met.
        const std::optional<std::uint32_t> best = newest_before(witnesses, op.completed_ms);
        if (best && *c.op(*best).intent.timestamp_ms >= ts)
            continue;
        c.sink.report(kWrongDiscard, r.id, op.op_id, [&] {
            std::vector<std::string> op_ids{op.op_id};
            std::string detail = "discarded op \"" + op.op_id + "\" (ts " + std::to_string(ts) +
                                 ") met no applied write with a timestamp >= its own";
            if (best) {
                op_ids.push_back(c.op(*best).op_id);
                detail += "; the newest invoked before it completed was op \"" + c.op(*best).op_id +
                          "\" (ts " + std::to_string(*c.op(*best).intent.timestamp_ms) + ")";
            } else {
                detail += "; no applied write was invoked before it completed";
            }
            std::vector<std::string> versions;
            if (op.outcome.token_after)
                versions.push_back(*op.outcome.token_after);
            return Anomaly{std::string(kWrongDiscard), std::string(r.id), std::move(op_ids),
                           std::move(versions), std::move(detail)};
        });
    }
}

}  // namespace conflictlab::harness::checker_detail
