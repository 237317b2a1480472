#pragma once
// Reading a transaction log back: either format the service writes
// (JsonlOutcomeLog, one engine::to_json(outcome) per line, or
// SqliteOutcomeLog, one row per outcome), told apart by the file's first
// bytes, not its name: an SQLite database starts with the 16-byte header
// "SQLite format 3\0"; a JSON-lines log starts with '{' (or is empty).
// Anything else is refused. Used by `conflictlab outcomes` to merge the logs
// of several scaled-out instances (docs/scale-out.md "Outcomes").
//
// Every record is handed over as the same JSON object whatever the format:
// {correlation_id, event_id, resource_id, kind, path, reason, attempts},
// the fields docs/engine.md "Outcome log" documents for both.
//
// Errors: std::invalid_argument naming the file (and line, for JSON lines):
// unreadable file, unknown format, a line or row that is not an outcome, an
// SQLite database that is not a conflictlab outcome log (no `outcomes`
// table, another schema version).
//
// Thread-safety: free functions without shared state. The SQLite log is
// opened read-only, so a log that a running service writes can be read.

#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace conflictlab::engine {

enum class OutcomeLogFormat { jsonl, sqlite };

// The format of the file at `path` from its first bytes. Throws
// std::invalid_argument for an unreadable file or an unknown format.
OutcomeLogFormat detect_outcome_log_format(const std::string& path);

// Calls `each` once per record, in the order the log holds them, and
// returns how many. Throws as described above; records handed over before
// an error stay handed over.
std::size_t read_outcome_log(const std::string& path,
                             const std::function<void(const nlohmann::json&)>& each);

}  // namespace conflictlab::engine
