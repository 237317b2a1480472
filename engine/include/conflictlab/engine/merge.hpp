#pragma once
// JSON merging used by the merge strategy, public so drivers, the harness and
// tests can use the exact same semantics.
//
// three_way_merge(base, ours, theirs): ours = base with the update applied,
// theirs = the server's current state. Objects merge key by key, recursively.
// A value changed on one side only takes that side; changed on both sides to
// the same value takes it; changed on both to different values is decided by
// the field rule for its pointer. Arrays are values (replaced whole) unless
// their pointer is a set-merge pointer: then the result is theirs minus the
// elements ours removed plus the elements ours added (order: theirs first,
// then our additions; no duplicates). A guard pointer whose value in theirs
// differs from base (and from ours) makes the merge irreconcilable.
//
// Thread-safety: pure functions.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/engine/policy.hpp"

namespace conflictlab::engine {

// Which side is newer in business time, for FieldRule::newer_wins.
enum class Newer {
    ours,
    theirs,
    same,     // equal timestamps: theirs wins (keeps what is stored; no flapping)
    unknown,  // no freshness signal: ours wins (as an overwrite would)
};

struct MergeOptions {
    // Who wins fields changed on both sides.
    FieldRules field_rules;
    // Arrays merged as sets.
    std::vector<std::string> set_merge_pointers;
    // Fields that must not have been changed by someone else.
    std::vector<std::string> guard_pointers;
    // Input to newer_wins.
    Newer newer = Newer::unknown;
};

struct MergeResult {
    bool ok = false;
    nlohmann::json merged;               // valid when ok
    std::vector<std::string> conflicts;  // pointers changed on both sides
    std::vector<std::string> lost;       // of those, the ones theirs won
    std::string failed_pointer;          // when !ok: the guard or `fail` field
    std::string detail;                  // when !ok: e.g. "guard field /type changed"
};

MergeResult three_way_merge(const nlohmann::json& base, const nlohmann::json& ours,
                            const nlohmann::json& theirs, const MergeOptions& options);

// Without a base: lay `update` over `current`. Objects recurse; any other
// value in `update` replaces the current one (for PUT payloads: null is a
// value). With patch_semantics (RFC 7396, for PATCH) a null in `update`
// removes the member instead. Arrays at set-merge pointers become the union
// current + new elements of update. Fields absent from `update` are kept.
nlohmann::json overlay(const nlohmann::json& current, const nlohmann::json& update,
                       const std::vector<std::string>& set_merge_pointers, bool patch_semantics);

// An RFC 7396 merge patch that turns `from` into `to` (null for removed
// members; arrays and non-objects replaced whole). Null *values* in `to`
// cannot be expressed by RFC 7396 and come out as removals.
nlohmann::json create_merge_patch(const nlohmann::json& from, const nlohmann::json& to);

}  // namespace conflictlab::engine
