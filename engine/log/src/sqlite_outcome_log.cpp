#include "conflictlab/engine/sqlite_outcome_log.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "batch_queue.hpp"
#include "conflictlab/common/http_date.hpp"

namespace conflictlab::engine {
namespace {

constexpr std::string_view kSchema = R"sql(CREATE TABLE IF NOT EXISTS outcomes (
    id             INTEGER PRIMARY KEY,  -- insertion order
    recorded_at    TEXT    NOT NULL,     -- RFC 3339 UTC wall time the log received it
    correlation_id TEXT    NOT NULL,
    event_id       TEXT    NOT NULL,
    resource_id    TEXT    NOT NULL,
    writer_id      TEXT    NOT NULL,
    op_id          TEXT    NOT NULL,
    method         TEXT    NOT NULL,     -- PUT | PATCH
    kind           TEXT    NOT NULL,     -- success | resolved | discarded | failed
    path           TEXT    NOT NULL,     -- e.g. refetch>merge>retry
    reason         TEXT    NOT NULL,     -- failure reason, "none" unless failed
    detail         TEXT    NOT NULL,
    notes          TEXT    NOT NULL,     -- JSON array of strings
    attempts       INTEGER NOT NULL,
    conflicts      INTEGER NOT NULL,
    statuses       TEXT    NOT NULL,     -- JSON array of HTTP statuses, in order
    token_before   TEXT,
    token_after    TEXT,
    freshness      TEXT    NOT NULL,     -- not-checked | business-timestamp | last-modified | none
    started_ns     INTEGER NOT NULL,     -- driver monotonic clock, ns
    duration_ns    INTEGER NOT NULL,
    steps          TEXT    NOT NULL,     -- JSON array [{step, started_ns, duration_ns, status, error}]
    final_body     TEXT,                 -- JSON, the last body sent
    delta          TEXT,                 -- JSON {desired, current, patch}, failed only
    alert          INTEGER NOT NULL      -- 1 when an alert is due
);
CREATE INDEX IF NOT EXISTS outcomes_correlation_id ON outcomes (correlation_id);
CREATE INDEX IF NOT EXISTS outcomes_resource_id ON outcomes (resource_id);
)sql";

constexpr const char* kInsert =
    "INSERT INTO outcomes (recorded_at, correlation_id, event_id, resource_id, writer_id, op_id, "
    "method, kind, path, reason, detail, notes, attempts, conflicts, statuses, token_before, "
    "token_after, freshness, started_ns, duration_ns, steps, final_body, delta, alert) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
    "?19, ?20, ?21, ?22, ?23, ?24)";

struct Item {
    Outcome outcome;
    WallTime recorded_at;
};

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

struct SqliteOutcomeLog::Impl {
    SqliteOutcomeLogOptions options;
    sqlite3* db = nullptr;
    sqlite3_stmt* insert = nullptr;
    detail::BatchQueue<Item> queue;
    std::thread worker;
    std::atomic<std::uint64_t> rows{0}, errors{0};
    std::mutex error_mutex;
    std::string last_error;  // since the last flush

    explicit Impl(SqliteOutcomeLogOptions o)
        : options(std::move(o)), queue(options.queue_capacity) {}

    [[noreturn]] void fail(const std::string& what) {
        std::string msg = "outcome log " + options.path + ": " + what;
        if (db != nullptr)
            msg += ": " + std::string(sqlite3_errmsg(db));
        close();
        throw std::runtime_error(msg);
    }

    void exec(const char* sql, const char* what) {
        char* err = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string m = std::string(what) + ": " + (err ? err : "?");
            sqlite3_free(err);
            std::string full = "outcome log " + options.path + ": " + m;
            close();
            throw std::runtime_error(full);
        }
    }

    int query_int(const char* sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK)
            fail(sql);
        int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        sqlite3_finalize(st);
        return v;
    }

    std::string query_text(const char* sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK)
            fail(sql);
        std::string v;
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
            v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        }
        sqlite3_finalize(st);
        return v;
    }

    void open() {
        if (options.path.empty())
            throw std::runtime_error("outcome log: path is empty");
        if (sqlite3_open_v2(options.path.c_str(), &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK) {
            fail("cannot open");
        }
        sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
        if (query_text("PRAGMA journal_mode=WAL") != "wal")
            fail("cannot enable WAL journal mode");
        switch (options.synchronous) {
            case SqliteSynchronous::off:
                exec("PRAGMA synchronous=OFF", "synchronous");
                break;
            case SqliteSynchronous::normal:
                exec("PRAGMA synchronous=NORMAL", "synchronous");
                break;
            case SqliteSynchronous::full:
                exec("PRAGMA synchronous=FULL", "synchronous");
                break;
        }
        int version = query_int("PRAGMA user_version");
        if (version != 0 && version != kSchemaVersion) {
            std::string msg = "outcome log " + options.path + ": schema version " +
                              std::to_string(version) + ", expected " +
                              std::to_string(kSchemaVersion);
            close();
            throw std::runtime_error(msg);
        }
        if (version == 0) {
            int tables = query_int(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='outcomes'");
            if (tables != 0) {
                std::string msg = "outcome log " + options.path +
                                  ": a table 'outcomes' exists without a schema version "
                                  "(not written by conflictlab?)";
                close();
                throw std::runtime_error(msg);
            }
            exec("BEGIN", "begin schema");
            exec(std::string(kSchema).c_str(), "create schema");
            exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str(), "user_version");
            exec("COMMIT", "commit schema");
        }
        if (sqlite3_prepare_v3(db, kInsert, -1, SQLITE_PREPARE_PERSISTENT, &insert, nullptr) !=
            SQLITE_OK) {
            fail("cannot prepare insert");
        }
    }

    void close() {
        if (insert != nullptr)
            sqlite3_finalize(insert);
        insert = nullptr;
        if (db != nullptr)
            sqlite3_close_v2(db);
        db = nullptr;
    }

    void note_error(const std::string& what) {
        errors.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(error_mutex);
        if (last_error.empty())
            last_error = what + ": " + sqlite3_errmsg(db);
    }

    bool insert_row(const Item& item) {
        const Outcome& o = item.outcome;
        auto text = [&](int i, const std::string& s) {
            sqlite3_bind_text(insert, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
        };
        auto opt_text = [&](int i, const std::optional<std::string>& s) {
            if (s) {
                text(i, *s);
            } else {
                sqlite3_bind_null(insert, i);
            }
        };
        nlohmann::json all = to_json(o);  // the documented field forms
        text(1, format_rfc3339(item.recorded_at));
        text(2, o.correlation_id);
        text(3, o.event_id);
        text(4, o.resource_id);
        text(5, o.writer_id);
        text(6, o.op_id);
        text(7, std::string(write_method_name(o.method)));
        text(8, std::string(outcome_kind_name(o.kind)));
        text(9, o.path);
        text(10, std::string(failure_reason_name(o.reason)));
        text(11, o.detail);
        text(12, dump(all["notes"]));
        sqlite3_bind_int(insert, 13, o.attempts);
        sqlite3_bind_int(insert, 14, o.conflicts);
        text(15, dump(all["statuses"]));
        opt_text(16, o.token_before);
        opt_text(17, o.token_after);
        text(18, std::string(freshness_signal_name(o.freshness)));
        sqlite3_bind_int64(insert, 19, static_cast<sqlite3_int64>(o.started.count()));
        sqlite3_bind_int64(insert, 20,
                           static_cast<sqlite3_int64>((o.finished - o.started).count()));
        text(21, dump(all["steps"]));
        opt_text(22, o.final_body ? std::optional<std::string>(dump(*o.final_body)) : std::nullopt);
        opt_text(23, o.delta ? std::optional<std::string>(dump(*o.delta)) : std::nullopt);
        sqlite3_bind_int(insert, 24, o.alert ? 1 : 0);
        int rc = sqlite3_step(insert);
        sqlite3_reset(insert);
        sqlite3_clear_bindings(insert);
        if (rc != SQLITE_DONE) {
            note_error("insert");
            return false;
        }
        return true;
    }

    void run() {
        std::vector<Item> batch;
        batch.reserve(options.batch_rows_max);
        while (queue.pop_batch(batch, options.batch_rows_max)) {
            std::uint64_t ok = 0;
            if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
                note_error("begin");
            } else {
                for (const auto& item : batch)
                    ok += insert_row(item) ? 1 : 0;
                if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
                    note_error("commit");
                    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
                    ok = 0;
                }
            }
            rows.fetch_add(ok, std::memory_order_relaxed);
            queue.done(batch.size());
        }
    }
};

SqliteOutcomeLog::SqliteOutcomeLog(SqliteOutcomeLogOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
    impl_->open();
    impl_->worker = std::thread([impl = impl_.get()] { impl->run(); });
}

SqliteOutcomeLog::~SqliteOutcomeLog() {
    impl_->queue.close();
    if (impl_->worker.joinable())
        impl_->worker.join();
    impl_->close();
}

void SqliteOutcomeLog::record(const Outcome& outcome) {
    impl_->queue.push_wait(Item{outcome, std::chrono::system_clock::now()});
}

void SqliteOutcomeLog::flush() {
    if (!impl_->queue.wait_processed(impl_->options.flush_timeout)) {
        throw std::runtime_error("outcome log " + impl_->options.path + ": flush timed out after " +
                                 std::to_string(impl_->options.flush_timeout.count()) + " ms (" +
                                 std::to_string(impl_->queue.size()) + " outcomes queued)");
    }
    std::string error;
    {
        std::lock_guard lock(impl_->error_mutex);
        error.swap(impl_->last_error);
    }
    if (!error.empty())
        throw std::runtime_error("outcome log " + impl_->options.path + ": " + error);
}

std::uint64_t SqliteOutcomeLog::rows_written() const {
    return impl_->rows.load();
}
std::uint64_t SqliteOutcomeLog::write_errors() const {
    return impl_->errors.load();
}

std::string_view SqliteOutcomeLog::schema_sql() {
    return kSchema;
}

}  // namespace conflictlab::engine
