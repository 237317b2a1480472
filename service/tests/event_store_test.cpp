#include <gtest/gtest.h>

#include <unistd.h>

#include <sqlite3.h>

#include "conflictlab/service/event_store.hpp"
#include "temp_db.hpp"

namespace conflictlab::service {
namespace {

using testing::TempDb;

WallTime at(const char* rfc3339) {
    return *parse_rfc3339(rfc3339);
}

NewEvent ev(std::string id, std::string resource, const char* when = "2026-01-01T00:00:00.000Z") {
    NewEvent e;
    e.event_id = id;
    e.correlation_id = "c-" + id;
    e.resource_id = std::move(resource);
    e.document = {{"event_id", id}, {"n", 1}};
    e.received_at = at(when);
    return e;
}

FinishedEvent done(std::int64_t seq, engine::OutcomeKind kind) {
    FinishedEvent f;
    f.seq = seq;
    f.kind = kind;
    f.outcome = {{"kind", engine::outcome_kind_name(kind)}};
    f.finished_at = at("2026-01-01T00:00:01.000Z");
    return f;
}

TEST(EventStore, Insert_AssignsIncreasingSequenceNumbers) {
    TempDb db;
    EventStore store({.path = db.path()});
    auto r = store.insert({ev("e1", "a"), ev("e2", "b")});
    ASSERT_EQ(r.size(), 2u);
    EXPECT_TRUE(r[0].inserted);
    EXPECT_TRUE(r[1].inserted);
    EXPECT_LT(r[0].seq, r[1].seq);
    EXPECT_EQ(r[1].correlation_id, "c-e2");
}

TEST(EventStore, Idempotency_RepeatedEventIdIsNotStoredTwice) {
    TempDb db;
    EventStore store({.path = db.path()});
    store.insert({ev("e1", "a")});
    NewEvent again = ev("e1", "a");
    again.correlation_id = "c-other";
    auto r = store.insert({again});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_FALSE(r[0].inserted);
    EXPECT_EQ(r[0].correlation_id, "c-e1") << "the stored event's correlation id";
    EXPECT_EQ(store.unfinished().size(), 1u);
    EXPECT_FALSE(store.find("c-other"));
}

TEST(EventStore, Idempotency_DuplicateWithinOneBatch) {
    TempDb db;
    EventStore store({.path = db.path()});
    NewEvent second = ev("e1", "a");
    second.correlation_id = "c-second";
    auto r = store.insert({ev("e1", "a"), second});
    EXPECT_TRUE(r[0].inserted);
    EXPECT_FALSE(r[1].inserted);
    EXPECT_EQ(r[1].correlation_id, "c-e1");
}

TEST(EventStore, Durability_CommittedEventsSurviveReopening) {
    TempDb db;
    {
        EventStore store({.path = db.path(), .synchronous = Synchronous::normal});
        store.insert({ev("e1", "a"), ev("e2", "a"), ev("e3", "b")});
        store.finish({done(2, engine::OutcomeKind::success)});
    }
    EventStore reopened({.path = db.path()});
    auto open = reopened.unfinished();
    ASSERT_EQ(open.size(), 2u);
    EXPECT_EQ(open[0].event_id, "e1");
    EXPECT_EQ(open[1].event_id, "e3");
    EXPECT_EQ(open[0].document["n"], 1);
    auto finished = reopened.find("c-e2");
    ASSERT_TRUE(finished);
    EXPECT_EQ(finished->state, "done");
    EXPECT_EQ(finished->outcome_kind, "success");
    EXPECT_EQ(finished->finished_at, "2026-01-01T00:00:01.000Z");
}

TEST(EventStore, Wal_JournalModeIsWal) {
    TempDb db;
    EventStore store({.path = db.path()});
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.path().c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

TEST(EventStore, Write_FinishAndInsertInOneTransaction) {
    TempDb db;
    EventStore store({.path = db.path()});
    store.insert({ev("e1", "a")});
    auto r = store.write({ev("e2", "a")}, {done(1, engine::OutcomeKind::resolved)});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].inserted);
    auto open = store.unfinished();
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].event_id, "e2");
}

TEST(EventStore, Replay_MarksOnlyFailedEventsMatchingTheFilter) {
    TempDb db;
    EventStore store({.path = db.path()});
    store.insert(
        {ev("e1", "a", "2026-01-01T00:00:00.000Z"), ev("e2", "b", "2026-01-02T00:00:00.000Z"),
         ev("e3", "a", "2026-01-03T00:00:00.000Z"), ev("e4", "a", "2026-01-04T00:00:00.000Z")});
    store.finish({done(1, engine::OutcomeKind::failed), done(2, engine::OutcomeKind::failed),
                  done(3, engine::OutcomeKind::failed), done(4, engine::OutcomeKind::success)});
    ReplayFilter filter;
    filter.resource_id = "a";
    filter.since = at("2026-01-02T00:00:00.000Z");
    EXPECT_EQ(store.failed(filter).size(), 1u);
    auto marked = store.request_replay(filter);
    ASSERT_EQ(marked.size(), 1u);
    EXPECT_EQ(marked[0].event_id, "e3");
    EXPECT_EQ(store.find("c-e3")->state, "replay");
    EXPECT_EQ(store.find("c-e3")->replays, 1);
    EXPECT_EQ(store.find("c-e1")->state, "done");
    EXPECT_TRUE(store.request_replay(filter).empty()) << "already marked";

    auto claimed = store.claim_replays(10);
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed[0].event_id, "e3");
    EXPECT_EQ(store.find("c-e3")->state, "queued");
    EXPECT_TRUE(store.claim_replays(10).empty());
}

TEST(EventStore, OtherSchemaVersion_IsRefused) {
    TempDb db;
    {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(db.path().c_str(), &raw), SQLITE_OK);
        sqlite3_exec(raw, "PRAGMA user_version=7", nullptr, nullptr, nullptr);
        sqlite3_close(raw);
    }
    try {
        EventStore store({.path = db.path()});
        FAIL() << "opened";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("schema version 7 is not the supported 1"),
                  std::string::npos)
            << e.what();
    }
}

TEST(EventStore, UnopenablePath_NamesTheFile) {
    try {
        EventStore store({.path = "/nonexistent-dir/x/events.db"});
        FAIL() << "opened";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("event store /nonexistent-dir/x/events.db"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace conflictlab::service
