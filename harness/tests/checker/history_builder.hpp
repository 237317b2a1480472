#pragma once
// Literal-like construction of hand-made histories for the checker tests:
// ops with a fate (how the client saw them end), server writes chained by
// ETag, and final bodies in the layouts docs/checker.md defines.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/harness/checker.hpp"
#include "conflictlab/harness/history.hpp"

namespace conflictlab::harness::testing {

using nlohmann::json;

// How an op ended, as the engine would record it.
enum class Fate {
    success,    // acknowledged
    resolved,   // acknowledged
    failed,     // rejected: persistent-conflict
    discarded,  // discarded
    timeout,    // indeterminate: timeout-indeterminate
};

engine::Outcome outcome_of(Fate fate);

// set-add / blind op adding `element`.
OpRecord set_op(std::string op_id, std::string resource_id, std::string element, Fate fate);

// Field op (register / disjoint / overlapping).
OpRecord field_op(std::string op_id, std::string resource_id, std::map<std::string, json> fields,
                  std::optional<std::int64_t> timestamp_ms, Fate fate, double invoked_ms = 0,
                  double completed_ms = 0, std::string writer_id = "w");

// A conditional write naming the token it replaced (the normal case).
ServerWrite write(std::uint64_t version, std::string etag, std::string replaced_etag,
                  std::string op_id);
// An unconditional (blind) write.
ServerWrite blind_write(std::uint64_t version, std::string etag, std::string replaced_etag,
                        std::string op_id);

// Writes by `op_ids` in order, producing "<prefix>1", "<prefix>2"...,
// each conditional on its predecessor, starting with a creation.
std::vector<ServerWrite> chain(const std::vector<std::string>& op_ids,
                               const std::string& prefix = "e");

// A live resource whose final_etag is the last write's ETag.
ServerResource resource(std::string id, std::vector<ServerWrite> writes, json final_body);

// {"items": [elements...]}
json items(const std::vector<std::string>& elements);
// The register layout of one field: {"value": V, "ts": T}.
json stamped(json value, std::int64_t ts);

// A history of `kind` with the resources keyed by their id.
History make_history(WorkloadKind kind, std::vector<OpRecord> ops,
                     std::vector<ServerResource> resources);

// check_history's std::invalid_argument message, or "(no exception)".
std::string check_error(const History& history);

// A copy of the only anomaly of the report (fails the test when there is not
// exactly one; a copy, so it may be called on a temporary report).
Anomaly only_anomaly(const CheckReport& report);

}  // namespace conflictlab::harness::testing
