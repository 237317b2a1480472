#pragma once
// The lost-update checker: the product's promise (DESIGN.md "Correctness").
// A pure function from a History to findings. It never trusts the engine's
// own verdict: acknowledgements come from outcomes, facts from the server's
// version history and final state.
//
// Checks, each producing Anomaly values:
//   linear-history     each accepted conditional write replaced the version it
//                      named, each write replaced its predecessor, no ETag
//                      was produced twice
//   lost-update        set-add/blind: an acknowledged element is missing;
//                      disjoint-fields: a writer's last acknowledged field
//                      write is gone; register: a field's final value is not
//                      the acknowledged write with the greatest timestamp;
//                      overlapping-fields: a field's final value is no
//                      acknowledged (or indeterminate) op's write
//   phantom-write      an element/field value only a rejected (Failed) op wrote
//                      is present
//   wrong-discard      register: a Discarded write was not older than what it met
//   unknown-op         the server recorded an op id the client never issued
//                      (for that resource)
// Indeterminate ops (timeouts) are counted, never reported as anomalies.
// docs/checker.md states what each check proves and the body layouts it
// assumes per workload (the runner must write bodies that way).
//
// Thread-safety: pure; no shared state. The History is only read.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/harness/history.hpp"

namespace conflictlab::harness {

struct Anomaly {
    std::string kind;  // "lost-update", "linear-history", ...
    std::string resource_id;
    std::vector<std::string> op_ids;    // the operations involved
    std::vector<std::string> versions;  // ETags / versions involved
    std::string detail;                 // one readable sentence

    bool operator==(const Anomaly&) const = default;
};

struct CheckReport {
    std::uint64_t ops_checked = 0;
    std::uint64_t acknowledged = 0;
    std::uint64_t rejected = 0;
    std::uint64_t discarded = 0;
    std::uint64_t indeterminate = 0;
    std::uint64_t lost_updates = 0;    // acknowledged effects missing
    std::uint64_t phantom_writes = 0;  // rejected effects present
    std::uint64_t linearity_violations = 0;
    std::uint64_t wrong_discards = 0;
    std::uint64_t unknown_ops = 0;            // server writes naming an op id no client op has
    std::uint64_t server_writes = 0;          // writes in the recorded server histories
    std::uint64_t server_writes_dropped = 0;  // writes cut by the servers' history caps
    // Acknowledged (or discarded) ops not judged because their resource was
    // deleted after them (a deletion legitimately removes their effect).
    std::uint64_t excused_by_deletion = 0;
    // Field checks not judged because the final value is no op's value and a
    // write without op id (foreign write fault) may have put it there.
    std::uint64_t excused_by_foreign = 0;
    // Field workloads: (resource, field) pairs with at least one acknowledged
    // write that the checker compared against the final state.
    std::uint64_t fields_checked = 0;
    // overlapping-fields, informational: checked fields whose final value is
    // the acknowledged write with the greatest timestamp (not an anomaly when
    // lower: field rules other than newer-wins may keep an older value).
    std::uint64_t fields_final_newest = 0;
    // First `anomaly_limit` anomalies sorted by (resource_id, kind, first op
    // id, then the remaining fields), whatever order the history came in.
    std::vector<Anomaly> anomalies;
    std::uint64_t anomalies_total = 0;

    bool clean() const noexcept { return anomalies_total == 0; }
};

struct CheckOptions {
    // Anomalies kept in the report (counts stay exact beyond it).
    std::size_t anomaly_limit = 100;
};

// Runs every check that applies to history.kind (linear-history and
// unknown-op always). Throws std::invalid_argument naming the op and field
// when the history itself is malformed: an empty or duplicate op id, an empty
// resource id, a set-add/blind op without an element or with an element
// another op of the same resource also adds, a field op without fields or
// with a field that is not a JSON pointer, a register op without timestamp.
CheckReport check_history(const History& history, const CheckOptions& options = {});

nlohmann::json to_json(const Anomaly& anomaly);
nlohmann::json to_json(const CheckReport& report);

}  // namespace conflictlab::harness
