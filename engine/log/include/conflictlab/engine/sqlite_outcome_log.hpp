#pragma once
// SqliteOutcomeLog: the transaction log as an SQLite database, one row per
// outcome (schema below and in docs/engine.md "Outcome log"). The database is
// opened in WAL mode; rows are written by one background thread with one
// prepared INSERT, many rows per transaction (whatever is queued, up to
// batch_rows_max), so record() costs a copy and a queue push.
//
// Durability: synchronous=NORMAL by default. In WAL mode that never corrupts
// the database; a committed transaction survives an application crash and
// may be lost only on power loss / OS crash. flush() returns once everything
// recorded before it is committed. FULL makes every commit durable (fsync).
//
// Secrets: an Outcome carries none (drivers scrub the bearer token); nothing
// else is stored.
//
// Thread-safety: record() and flush() may be called from any thread.
// record() blocks only while queue_capacity outcomes are already waiting
// (backpressure: the log never drops an outcome).
// Ownership: owns its connection and thread; the destructor writes what is
// queued, then closes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "conflictlab/engine/outcome_sink.hpp"

namespace conflictlab::engine {

enum class SqliteSynchronous { off, normal, full };

struct SqliteOutcomeLogOptions {
    // Database file; created with the schema when missing. Required.
    std::string path;
    // PRAGMA synchronous (see the file comment). Default NORMAL.
    SqliteSynchronous synchronous = SqliteSynchronous::normal;
    // Outcomes waiting to be written at most; record() waits beyond it.
    std::size_t queue_capacity = 65'536;
    // Rows per transaction at most.
    std::size_t batch_rows_max = 1'024;
    // PRAGMA busy_timeout: how long a write waits for another connection's lock.
    std::chrono::milliseconds busy_timeout{5'000};
    // flush() gives up (throws std::runtime_error) after this long.
    std::chrono::milliseconds flush_timeout{60'000};
};

class SqliteOutcomeLog final : public OutcomeSink {
  public:
    // Schema version stored in PRAGMA user_version.
    static constexpr int kSchemaVersion = 1;

    // Opens or creates the database. Throws std::runtime_error
    // ("outcome log <path>: <problem>") when it cannot be opened, WAL cannot
    // be enabled, or it holds another schema version.
    explicit SqliteOutcomeLog(SqliteOutcomeLogOptions options);
    ~SqliteOutcomeLog() override;
    SqliteOutcomeLog(const SqliteOutcomeLog&) = delete;
    SqliteOutcomeLog& operator=(const SqliteOutcomeLog&) = delete;

    void record(const Outcome& outcome) override;
    // Waits until every outcome recorded before the call is committed.
    // Throws std::runtime_error on flush_timeout or when a write failed since
    // the previous flush (the message names the SQLite error).
    void flush() override;

    std::uint64_t rows_written() const;
    std::uint64_t write_errors() const;

    // The DDL executed on creation (documented in docs/engine.md).
    static std::string_view schema_sql();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conflictlab::engine
