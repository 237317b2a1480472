#pragma once
// EventStore: the service's durable intake, an SQLite database in WAL mode.
// Every accepted event is a row, committed before the webhook is answered
// 202; the row follows the event through its life (docs/service.md "The
// state of an event"):
//
//   queued  -> done (outcome_kind success | resolved | discarded | failed)
//   done/failed -> replay (conflictlab replay) -> queued -> done ...
//
// Schema (PRAGMA user_version = kSchemaVersion):
//   events(seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- arrival order, never reused
//          event_id TEXT UNIQUE,                   -- idempotent intake
//          correlation_id TEXT UNIQUE,
//          resource_id TEXT, event TEXT (JSON as received), state TEXT,
//          outcome_kind TEXT, outcome TEXT (engine outcome JSON),
//          received_at TEXT, finished_at TEXT (RFC 3339 UTC), replays INTEGER)
//
// Durability (PRAGMA synchronous, docs/service.md "Durability"): FULL fsyncs
// the WAL at every commit, so a committed event survives power loss; NORMAL
// fsyncs only at checkpoints, so a commit survives a crash of the process
// (kill -9) but the last transactions may be lost on power loss / OS crash.
// Batch methods run in one transaction each: the caller groups many events
// into one commit (one fsync).
//
// Several processes may open the same file (the service and `conflictlab
// replay`); writes wait up to busy_timeout for each other.
//
// Thread-safety: every member is thread-safe (writes serialised on one
// connection, reads on a second one, so reads never wait for an fsync).
// Ownership: owns its two connections.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/common/http_date.hpp"
#include "conflictlab/engine/outcome.hpp"

namespace conflictlab::service {

enum class Synchronous { normal, full };

// "normal" / "full"; parse_synchronous returns nullopt for anything else.
std::string_view synchronous_name(Synchronous s) noexcept;
std::optional<Synchronous> parse_synchronous(std::string_view name) noexcept;

struct EventStoreOptions {
    // Database file; created with the schema when missing. Required.
    std::string path;
    // PRAGMA synchronous (see the file comment). FULL: a 202 survives power loss.
    Synchronous synchronous = Synchronous::full;
    // PRAGMA busy_timeout: how long a write waits for another process's lock.
    std::chrono::milliseconds busy_timeout{5'000};
};

struct NewEvent {
    std::string event_id;
    std::string correlation_id;
    std::string resource_id;
    nlohmann::json document;  // stored as JSON text
    WallTime received_at{};
};

struct InsertResult {
    // False: the event id was already stored (a duplicate); the other fields
    // then describe the stored event.
    bool inserted = false;
    std::int64_t seq = 0;
    std::string correlation_id;
    std::string state;  // "queued" for a new row
};

struct FinishedEvent {
    std::int64_t seq = 0;
    engine::OutcomeKind kind = engine::OutcomeKind::failed;
    nlohmann::json outcome;  // engine::to_json(outcome)
    WallTime finished_at{};
};

struct EventRecord {
    std::int64_t seq = 0;
    std::string event_id;
    std::string correlation_id;
    std::string resource_id;
    nlohmann::json document;
    std::string state;                        // queued | done | replay
    std::optional<std::string> outcome_kind;  // when done (or replaying: the last one)
    nlohmann::json outcome;                   // null when none yet
    std::string received_at;                  // RFC 3339
    std::optional<std::string> finished_at;
    int replays = 0;
};

struct ReplayFilter {
    // Only events received at or after this time.
    std::optional<WallTime> since;
    // Only events for this resource.
    std::optional<std::string> resource_id;
    // At most this many events (oldest first).
    std::size_t limit = 100'000;
};

class EventStore {
  public:
    static constexpr int kSchemaVersion = 1;

    // Opens or creates the database. Throws std::runtime_error ("event store
    // <path>: <problem>") when it cannot be opened, WAL cannot be enabled, or
    // it holds another schema.
    explicit EventStore(EventStoreOptions options);
    ~EventStore();
    EventStore(const EventStore&) = delete;
    EventStore& operator=(const EventStore&) = delete;

    // Stores new events in one transaction, in order. An event id already
    // stored (or earlier in the same batch) is not inserted again: its
    // result describes the stored row. Throws std::runtime_error when the
    // transaction fails (then nothing of the batch is stored).
    std::vector<InsertResult> insert(const std::vector<NewEvent>& events);

    // Records outcomes (state -> done) in one transaction. Throws
    // std::runtime_error when the transaction fails.
    void finish(const std::vector<FinishedEvent>& events);

    // finish() then insert() in one transaction: the service's group commit
    // (one fsync for everything the writer thread has collected).
    std::vector<InsertResult> write(const std::vector<NewEvent>& inserts,
                                    const std::vector<FinishedEvent>& finished);

    // Events in state queued, in arrival order (what a restart resumes).
    std::vector<EventRecord> unfinished(std::size_t limit = SIZE_MAX);

    // Moves up to `limit` events from replay to queued (one transaction) and
    // returns them in arrival order.
    std::vector<EventRecord> claim_replays(std::size_t limit);

    // Failed events matching the filter, oldest first.
    std::vector<EventRecord> failed(const ReplayFilter& filter);

    // Marks failed events matching the filter for replay (state -> replay,
    // replays + 1) in one transaction; returns them as they were.
    std::vector<EventRecord> request_replay(const ReplayFilter& filter);

    std::optional<EventRecord> find(std::string_view correlation_id);

    const EventStoreOptions& options() const noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conflictlab::service
