// EventStore: two SQLite connections to one WAL database. Writes go through
// `writer` (BEGIN IMMEDIATE ... COMMIT, one per batch), reads through
// `reader`; each connection has its own mutex, so a GET /events never waits
// for the writer's fsync.
#include "conflictlab/service/event_store.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>

#include <sqlite3.h>

namespace conflictlab::service {

namespace {

using nlohmann::json;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT, -- arrival order, never reused
    event_id       TEXT    NOT NULL UNIQUE,           -- idempotent intake
    correlation_id TEXT    NOT NULL UNIQUE,
    resource_id    TEXT    NOT NULL,
    event          TEXT    NOT NULL,                  -- the event JSON as received
    state          TEXT    NOT NULL,                  -- queued | done | replay
    outcome_kind   TEXT,                              -- success | resolved | discarded | failed
    outcome        TEXT,                              -- engine outcome record (JSON)
    received_at    TEXT    NOT NULL,                  -- RFC 3339 UTC, milliseconds
    finished_at    TEXT,
    replays        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_open ON events (state, seq) WHERE state <> 'done';
CREATE INDEX IF NOT EXISTS events_failed ON events (outcome_kind, received_at);
)sql";

constexpr const char* kColumns =
    "seq, event_id, correlation_id, resource_id, event, state, outcome_kind, outcome, "
    "received_at, finished_at, replays";

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string column_text(sqlite3_stmt* st, int i) {
    const unsigned char* t = sqlite3_column_text(st, i);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
}

std::optional<std::string> column_optional(sqlite3_stmt* st, int i) {
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return std::nullopt;
    return column_text(st, i);
}

EventRecord read_record(sqlite3_stmt* st) {
    EventRecord r;
    r.seq = sqlite3_column_int64(st, 0);
    r.event_id = column_text(st, 1);
    r.correlation_id = column_text(st, 2);
    r.resource_id = column_text(st, 3);
    r.document = json::parse(column_text(st, 4), nullptr, false);
    r.state = column_text(st, 5);
    r.outcome_kind = column_optional(st, 6);
    if (auto o = column_optional(st, 7))
        r.outcome = json::parse(*o, nullptr, false);
    r.received_at = column_text(st, 8);
    r.finished_at = column_optional(st, 9);
    r.replays = sqlite3_column_int(st, 10);
    return r;
}

// A prepared statement that finalizes itself.
class Statement {
  public:
    Statement(sqlite3* db, const std::string& sql, const std::string& where) : db_(db) {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st_, nullptr) != SQLITE_OK)
            throw std::runtime_error(where + ": " + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(st_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    sqlite3_stmt* get() const noexcept { return st_; }
    void bind(int i, std::string_view text) {
        sqlite3_bind_text(st_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, std::int64_t v) { sqlite3_bind_int64(st_, i, v); }
    void bind_null(int i) { sqlite3_bind_null(st_, i); }
    int step() { return sqlite3_step(st_); }
    void reset() {
        sqlite3_reset(st_);
        sqlite3_clear_bindings(st_);
    }

  private:
    sqlite3* db_;
    sqlite3_stmt* st_ = nullptr;
};

}  // namespace

std::string_view synchronous_name(Synchronous s) noexcept {
    return s == Synchronous::full ? "full" : "normal";
}

std::optional<Synchronous> parse_synchronous(std::string_view name) noexcept {
    if (name == "full")
        return Synchronous::full;
    if (name == "normal")
        return Synchronous::normal;
    return std::nullopt;
}

struct EventStore::Impl {
    EventStoreOptions options;
    std::mutex write_mutex;
    std::mutex read_mutex;
    sqlite3* writer = nullptr;
    sqlite3* reader = nullptr;

    explicit Impl(EventStoreOptions o) : options(std::move(o)) {}
    ~Impl() { close(); }

    void close() {
        if (reader != nullptr)
            sqlite3_close_v2(reader);
        if (writer != nullptr)
            sqlite3_close_v2(writer);
        reader = writer = nullptr;
    }

    std::string where(std::string_view what) const {
        return "event store " + options.path + ": " + std::string(what);
    }

    void exec(sqlite3* db, const char* sql, std::string_view what) {
        char* err = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string m = where(what) + ": " + (err != nullptr ? err : sqlite3_errmsg(db));
            sqlite3_free(err);
            throw std::runtime_error(m);
        }
    }

    sqlite3* open_connection() {
        sqlite3* db = nullptr;
        const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        if (sqlite3_open_v2(options.path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
            std::string m = where("cannot open") + ": " +
                            (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
            sqlite3_close_v2(db);
            throw std::runtime_error(m);
        }
        sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
        return db;
    }

    int user_version(sqlite3* db) {
        Statement st(db, "PRAGMA user_version", where("user_version"));
        return st.step() == SQLITE_ROW ? sqlite3_column_int(st.get(), 0) : 0;
    }

    void open() {
        if (options.path.empty())
            throw std::runtime_error("event store: path is empty");
        try {
            writer = open_connection();
            {
                Statement st(writer, "PRAGMA journal_mode=WAL", where("journal_mode"));
                if (st.step() != SQLITE_ROW || column_text(st.get(), 0) != "wal")
                    throw std::runtime_error(where("cannot enable WAL mode"));
            }
            exec(writer,
                 options.synchronous == Synchronous::full ? "PRAGMA synchronous=FULL"
                                                          : "PRAGMA synchronous=NORMAL",
                 "synchronous");
            exec(writer, "BEGIN IMMEDIATE", "begin");
            const int version = user_version(writer);
            if (version == 0) {
                exec(writer, kSchema, "create schema");
                exec(writer,
                     ("PRAGMA user_version=" + std::to_string(EventStore::kSchemaVersion)).c_str(),
                     "user_version");
            } else if (version != EventStore::kSchemaVersion) {
                exec(writer, "ROLLBACK", "rollback");
                throw std::runtime_error(where("schema version " + std::to_string(version) +
                                               " is not the supported " +
                                               std::to_string(EventStore::kSchemaVersion)));
            }
            exec(writer, "COMMIT", "commit");
            reader = open_connection();
        } catch (...) {
            close();
            throw;
        }
    }

    // Runs `body` inside BEGIN IMMEDIATE ... COMMIT on the writer; rolls back
    // and rethrows on failure.
    template <class Body>
    void transaction(Body&& body) {
        exec(writer, "BEGIN IMMEDIATE", "begin");
        try {
            body();
            exec(writer, "COMMIT", "commit");
        } catch (...) {
            char* err = nullptr;
            sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, &err);
            sqlite3_free(err);
            throw;
        }
    }

    std::vector<EventRecord> select(sqlite3* db, const std::string& sql,
                                    const std::function<void(Statement&)>& bind) {
        Statement st(db, sql, where("select"));
        bind(st);
        std::vector<EventRecord> out;
        int rc = 0;
        while ((rc = st.step()) == SQLITE_ROW)
            out.push_back(read_record(st.get()));
        if (rc != SQLITE_DONE)
            throw std::runtime_error(where("select") + ": " + sqlite3_errmsg(db));
        return out;
    }

    std::vector<InsertResult> insert_rows(const std::vector<NewEvent>& events) {
        std::vector<InsertResult> results;
        results.reserve(events.size());
        Statement ins(writer,
                      "INSERT INTO events (event_id, correlation_id, resource_id, event, state, "
                      "received_at) VALUES (?1, ?2, ?3, ?4, 'queued', ?5) "
                      "ON CONFLICT (event_id) DO NOTHING",
                      where("insert"));
        Statement existing(writer,
                           "SELECT seq, correlation_id, state FROM events WHERE event_id = ?1",
                           where("select"));
        for (const auto& e : events) {
            ins.bind(1, e.event_id);
            ins.bind(2, e.correlation_id);
            ins.bind(3, e.resource_id);
            ins.bind(4, dump(e.document));
            ins.bind(5, format_rfc3339(e.received_at));
            if (ins.step() != SQLITE_DONE)
                throw std::runtime_error(where("insert") + ": " + sqlite3_errmsg(writer));
            const bool inserted = sqlite3_changes(writer) == 1;
            ins.reset();
            InsertResult r;
            r.inserted = inserted;
            if (inserted) {
                r.seq = sqlite3_last_insert_rowid(writer);
                r.correlation_id = e.correlation_id;
                r.state = "queued";
            } else {
                existing.bind(1, e.event_id);
                if (existing.step() != SQLITE_ROW)
                    throw std::runtime_error(where("duplicate lookup") + ": " +
                                             sqlite3_errmsg(writer));
                r.seq = sqlite3_column_int64(existing.get(), 0);
                r.correlation_id = column_text(existing.get(), 1);
                r.state = column_text(existing.get(), 2);
                existing.reset();
            }
            results.push_back(std::move(r));
        }
        return results;
    }

    void finish_rows(const std::vector<FinishedEvent>& events) {
        Statement up(writer,
                     "UPDATE events SET state = 'done', outcome_kind = ?1, outcome = ?2, "
                     "finished_at = ?3 WHERE seq = ?4",
                     where("finish"));
        for (const auto& e : events) {
            up.bind(1, engine::outcome_kind_name(e.kind));
            up.bind(2, dump(e.outcome));
            up.bind(3, format_rfc3339(e.finished_at));
            up.bind(4, e.seq);
            if (up.step() != SQLITE_DONE)
                throw std::runtime_error(where("finish") + ": " + sqlite3_errmsg(writer));
            up.reset();
        }
    }

    std::string failed_query(const ReplayFilter& f) const {
        std::string sql = std::string("SELECT ") + kColumns +
                          " FROM events WHERE outcome_kind = 'failed' AND state = 'done'";
        if (f.since)
            sql += " AND received_at >= ?1";
        if (f.resource_id)
            sql += " AND resource_id = ?2";
        sql += " ORDER BY seq LIMIT ?3";
        return sql;
    }

    static void bind_filter(Statement& st, const ReplayFilter& f) {
        if (f.since)
            st.bind(1, format_rfc3339(*f.since));
        if (f.resource_id)
            st.bind(2, *f.resource_id);
        st.bind(3, static_cast<std::int64_t>(f.limit));
    }
};

EventStore::EventStore(EventStoreOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
    impl_->open();
}

EventStore::~EventStore() = default;

const EventStoreOptions& EventStore::options() const noexcept {
    return impl_->options;
}

std::vector<InsertResult> EventStore::insert(const std::vector<NewEvent>& events) {
    return write(events, {});
}

void EventStore::finish(const std::vector<FinishedEvent>& events) {
    (void)write({}, events);
}

std::vector<InsertResult> EventStore::write(const std::vector<NewEvent>& inserts,
                                            const std::vector<FinishedEvent>& finished) {
    std::lock_guard lock(impl_->write_mutex);
    std::vector<InsertResult> results;
    results.reserve(inserts.size());
    impl_->transaction([&] {
        if (!finished.empty())
            impl_->finish_rows(finished);
        if (!inserts.empty())
            results = impl_->insert_rows(inserts);
    });
    return results;
}

std::vector<EventRecord> EventStore::unfinished(std::size_t limit) {
    std::lock_guard lock(impl_->read_mutex);
    return impl_->select(
        impl_->reader,
        std::string("SELECT ") + kColumns +
            " FROM events WHERE state <> 'done' AND state = 'queued' ORDER BY seq LIMIT ?1",
        [&](Statement& st) {
            st.bind(1, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
        });
}

std::vector<EventRecord> EventStore::claim_replays(std::size_t limit) {
    std::lock_guard lock(impl_->write_mutex);
    std::vector<EventRecord> out;
    impl_->transaction([&] {
        out = impl_->select(
            impl_->writer,
            std::string("SELECT ") + kColumns +
                " FROM events WHERE state <> 'done' AND state = 'replay' ORDER BY seq LIMIT ?1",
            [&](Statement& st) { st.bind(1, static_cast<std::int64_t>(limit)); });
        Statement up(impl_->writer, "UPDATE events SET state = 'queued' WHERE seq = ?1",
                     impl_->where("claim"));
        for (auto& r : out) {
            up.bind(1, r.seq);
            if (up.step() != SQLITE_DONE)
                throw std::runtime_error(impl_->where("claim") + ": " +
                                         sqlite3_errmsg(impl_->writer));
            up.reset();
            r.state = "queued";
        }
    });
    return out;
}

std::vector<EventRecord> EventStore::failed(const ReplayFilter& filter) {
    std::lock_guard lock(impl_->read_mutex);
    return impl_->select(impl_->reader, impl_->failed_query(filter),
                         [&](Statement& st) { Impl::bind_filter(st, filter); });
}

std::vector<EventRecord> EventStore::request_replay(const ReplayFilter& filter) {
    std::lock_guard lock(impl_->write_mutex);
    std::vector<EventRecord> out;
    impl_->transaction([&] {
        out = impl_->select(impl_->writer, impl_->failed_query(filter),
                            [&](Statement& st) { Impl::bind_filter(st, filter); });
        Statement up(impl_->writer,
                     "UPDATE events SET state = 'replay', replays = replays + 1 WHERE seq = ?1",
                     impl_->where("replay"));
        for (const auto& r : out) {
            up.bind(1, r.seq);
            if (up.step() != SQLITE_DONE)
                throw std::runtime_error(impl_->where("replay") + ": " +
                                         sqlite3_errmsg(impl_->writer));
            up.reset();
        }
    });
    return out;
}

std::optional<EventRecord> EventStore::find(std::string_view correlation_id) {
    std::lock_guard lock(impl_->read_mutex);
    auto rows = impl_->select(
        impl_->reader, std::string("SELECT ") + kColumns + " FROM events WHERE correlation_id = ?1",
        [&](Statement& st) { st.bind(1, correlation_id); });
    if (rows.empty())
        return std::nullopt;
    return std::move(rows.front());
}

}  // namespace conflictlab::service
