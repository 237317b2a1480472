#pragma once
// The recorded history of a run: what the clients did (one OpRecord per
// operation: its intent, every response it saw and its outcome) and what the
// server accepted (per-resource version history and final state). The checker
// proves "no acknowledged update was lost" from these two alone, so the same
// check runs on real, embedded and simulated runs.
//
// Thread-safety: values. The runner collects OpRecords from many threads into
// its own synchronised buffers and hands the checker a finished History.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/engine/outcome.hpp"

namespace conflictlab::harness {

// Workload kinds (docs/scenarios.md "workload.kind").
enum class WorkloadKind {
    set_add,             // each op adds a unique element to the array at /items
    register_lww,        // each op writes fields with a business timestamp (LWW)
    disjoint_fields,     // each writer owns field /fields/<writer>; merge keeps all
    overlapping_fields,  // writers collide on the same fields (field rules)
    blind,               // set-add without preconditions: must lose updates
};

// "set-add", "register", "disjoint-fields", "overlapping-fields", "blind".
std::string_view workload_kind_name(WorkloadKind kind) noexcept;
std::optional<WorkloadKind> parse_workload_kind(std::string_view name) noexcept;

// What an operation meant to do, in the terms the checker verifies.
struct OpIntent {
    // set-add / blind: the unique element appended to /items.
    std::string element;
    // register / overlapping-fields / disjoint-fields: field (JSON pointer)
    // -> value written.
    std::map<std::string, nlohmann::json> fields;
    // register / overlapping-fields: the business timestamp (epoch ms) the op
    // carried (after the writer's clock skew).
    std::optional<std::int64_t> timestamp_ms;
};

struct OpRecord {
    std::string op_id;      // unique in the run, sent as X-Op-Id
    std::string writer_id;  // sent as X-Writer-Id
    std::string group;      // writer group name (policy comparison)
    std::string resource_id;
    OpIntent intent;
    // Client-side times, milliseconds since the run started.
    double invoked_ms = 0;
    double completed_ms = 0;
    // GETs the harness sent for this op before handing it to the engine: 1,
    // more after failed reads, 0 when it started from a state the writer
    // knew (workload.read_before_write "unless-known").
    int reads = 0;
    // The engine's record: kind, path, statuses, attempts, reason...
    engine::Outcome outcome;
};

// How an op's effect stands at the end, from the client's point of view.
enum class Acknowledgement {
    acknowledged,   // Success or Resolved: it must be in the final state
    rejected,       // Failed with a definite answer: it must NOT be there
    discarded,      // deliberately not applied (stale / dropped)
    indeterminate,  // Failed with a write whose result is unknown (timeout)
};
Acknowledgement acknowledgement_of(const engine::Outcome& outcome) noexcept;

// The X-Writer-Id of the harness's own setup writes (the creation of every
// resource before the writers start). They carry no op id, like foreign
// writes, but are not foreign: the checker does not let them excuse anything.
inline constexpr std::string_view kSetupWriterId = "seed";

// One accepted write as the server recorded it (/_admin/history/{id}).
struct ServerWrite {
    std::uint64_t version = 0;
    std::string etag;           // token produced; empty for a deletion
    std::string replaced_etag;  // token replaced; empty for a creation
    // The precondition the write named: the If-Match / body token it carried,
    // "*" for If-Match: *, empty for an unconditional (blind) write.
    std::string named_etag;
    bool conditional = false;
    std::string method;
    std::string writer_id;
    std::string op_id;  // empty for server-side writes (e.g. foreign-write faults)
};

struct ServerResource {
    std::string id;
    std::vector<ServerWrite> writes;  // oldest first
    std::uint64_t dropped = 0;        // writes cut by the server's history cap
    bool deleted = false;
    std::optional<nlohmann::json> final_body;  // absent when deleted or missing
    std::string final_etag;
};

struct History {
    WorkloadKind kind = WorkloadKind::set_add;
    std::vector<OpRecord> ops;
    std::map<std::string, ServerResource> resources;  // by id
};

}  // namespace conflictlab::harness
