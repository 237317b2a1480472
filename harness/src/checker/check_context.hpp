#pragma once
// Internals of check_history (checker.hpp): the facts derived once from a
// History (which op each server write belongs to, which resources saw a
// deletion or a foreign write) and the checks that read them. One file per
// check; this header is what they share.
//
// Thread-safety: one CheckContext per check_history call; nothing shared.
// Ownership: every string_view and pointer here refers into the History,
// which outlives the context.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "anomaly_sink.hpp"
#include "conflictlab/harness/checker.hpp"
#include "conflictlab/harness/history.hpp"

namespace conflictlab::harness::checker_detail {

// What the checker derives about one op.
struct OpFacts {
    Acknowledgement ack = Acknowledgement::indeterminate;
    // Index of the op's last write in its resource's recorded writes, -1 when
    // the server recorded none (not applied, idempotent, or cut by the cap).
    std::int64_t write_index = -1;
    // Acknowledged and not excused by a later deletion: its effect must be in
    // the final state.
    bool required = false;
};

// What the checker derives about one resource.
struct ResourceFacts {
    std::string_view id;
    const ServerResource* server = nullptr;  // never null (an empty one when unknown)
    std::vector<std::uint32_t> ops{};        // indices into History::ops, history order
    // Index of the last recorded deletion, -1 when none.
    std::int64_t last_delete_index = -1;
    // A deletion happened (recorded, or the final state is deleted).
    bool deleted_once = false;
    // A recorded non-deletion write carries no op id (foreign write fault).
    bool foreign_recorded = false;
    // A foreign write may have shaped the final state: recorded, or possibly
    // among the writes the history cap dropped.
    bool foreign_possible = false;

    const nlohmann::json* final_body() const noexcept {
        return server->final_body ? &*server->final_body : nullptr;
    }
};

struct CheckContext {
    const History& history;
    std::vector<OpFacts> ops{};  // parallel to history.ops
    // (hash of op id, op) sorted: the run-wide op-id index. A sorted vector
    // rather than a hash map: a million-entry map costs a cache miss per
    // insert; lookups by id are rare (server writes use per-resource maps).
    std::vector<std::pair<std::size_t, std::uint32_t>> ids_by_hash{};
    std::vector<ResourceFacts> resources{};
    CheckReport& report;
    AnomalySink& sink;

    const OpRecord& op(std::uint32_t index) const { return history.ops[index]; }
    // The op with this id anywhere in the run, if any.
    std::optional<std::uint32_t> find_op(std::string_view op_id) const;
    // The ETag the op's last recorded write produced, or "" when unknown.
    std::string_view written_etag(std::uint32_t index, const ResourceFacts& resource) const;
};

// Validates the ops (throws std::invalid_argument), counts acknowledgements,
// maps server writes to ops (reporting unknown-op) and groups ops by resource.
void index_history(CheckContext& context);

// linear-history for one resource's recorded writes.
void check_linear_history(const ResourceFacts& resource, AnomalySink& sink);

// set-add / blind effects of one resource.
void check_set_add(CheckContext& context, const ResourceFacts& resource);

// One op's write of one field: the op and the value its intent names.
struct FieldWrite {
    std::uint32_t op = 0;
    const nlohmann::json* value = nullptr;  // into OpIntent::fields
};
// Field (JSON pointer) -> the writes of it, in history order.
using FieldGroups = std::unordered_map<std::string_view, std::vector<FieldWrite>>;
FieldGroups group_fields(const CheckContext& context, const ResourceFacts& resource);

// register / disjoint-fields / overlapping-fields effects of one resource,
// and (register) wrong-discard.
void check_fields(CheckContext& context, const ResourceFacts& resource);
void check_discards(CheckContext& context, const ResourceFacts& resource);

// Short one-line rendering of a JSON value for details (long values cut).
std::string brief_json(const nlohmann::json* value);

}  // namespace conflictlab::harness::checker_detail
