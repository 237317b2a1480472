#include "conflictlab/engine/sqlite_outcome_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "test_outcomes.hpp"

using namespace conflictlab::engine;
using namespace conflictlab::engine::testing;
namespace fs = std::filesystem;

namespace {

class TempDb {
  public:
    TempDb() {
        dir_ = fs::temp_directory_path() /
               ("conflictlab_sqlite_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~TempDb() { fs::remove_all(dir_); }
    std::string path() const { return (dir_ / "outcomes.db").string(); }

  private:
    fs::path dir_;
};

// A read-only connection for assertions.
class Reader {
  public:
    explicit Reader(const std::string& path) {
        EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    }
    ~Reader() { sqlite3_close(db_); }
    std::string text(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
        std::string v = "(no row)";
        if (sqlite3_step(st) == SQLITE_ROW) {
            auto* t = sqlite3_column_text(st, 0);
            v = t ? reinterpret_cast<const char*>(t) : "(null)";
        }
        sqlite3_finalize(st);
        return v;
    }

  private:
    sqlite3* db_ = nullptr;
};

}  // namespace

TEST(SqliteOutcomeLog, CreatesSchemaInWalModeWithIndexes) {
    TempDb tmp;
    SqliteOutcomeLog log({.path = tmp.path()});
    Reader r(tmp.path());
    EXPECT_EQ(r.text("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(r.text("PRAGMA user_version"), "1");
    EXPECT_EQ(r.text("SELECT count(*) FROM sqlite_master WHERE type='index' AND name IN "
                     "('outcomes_correlation_id','outcomes_resource_id')"),
              "2");
}

TEST(SqliteOutcomeLog, OneRowPerOutcomeWithDocumentedColumns) {
    TempDb tmp;
    {
        SqliteOutcomeLog log({.path = tmp.path()});
        log.record(resolved_outcome("res-a", "op-1"));
        log.record(failed_outcome("res-b", "op-2"));
        log.record(success_outcome("res-a", "op-3"));
        log.flush();
        EXPECT_EQ(log.rows_written(), 3u);
    }
    Reader r(tmp.path());
    EXPECT_EQ(r.text("SELECT count(*) FROM outcomes"), "3");
    EXPECT_EQ(r.text("SELECT kind || '|' || path || '|' || reason || '|' || attempts || '|' || "
                     "conflicts FROM outcomes WHERE op_id='op-1'"),
              "resolved|refetch>merge>retry|none|2|1");
    EXPECT_EQ(r.text("SELECT statuses FROM outcomes WHERE op_id='op-1'"), "[412,200,200]");
    EXPECT_EQ(r.text("SELECT token_before || token_after FROM outcomes WHERE op_id='op-1'"),
              "\"v1\"\"v3\"");
    EXPECT_EQ(r.text("SELECT correlation_id || ' ' || event_id || ' ' || writer_id || ' ' || "
                     "resource_id || ' ' || method FROM outcomes WHERE op_id='op-1'"),
              "corr-op-1 ev-op-1 w1 res-a PUT");
    EXPECT_EQ(r.text("SELECT freshness || ' ' || started_ns || ' ' || duration_ns FROM outcomes "
                     "WHERE op_id='op-1'"),
              "business-timestamp 1000000 3000000");
    auto steps = nlohmann::json::parse(r.text("SELECT steps FROM outcomes WHERE op_id='op-1'"));
    ASSERT_EQ(steps.size(), 3u);
    EXPECT_EQ(steps[0]["step"], "write");
    EXPECT_EQ(steps[0]["status"], 412);
    EXPECT_EQ(r.text("SELECT final_body FROM outcomes WHERE op_id='op-1'"),
              R"({"tags":["a","b"]})");
    EXPECT_EQ(r.text("SELECT delta FROM outcomes WHERE op_id='op-1'"), "(null)");
    EXPECT_EQ(r.text("SELECT notes FROM outcomes WHERE op_id='op-1'"), R"(["merged 1 field"])");
    // The failed one carries its delta and the alert flag.
    EXPECT_EQ(r.text("SELECT reason || ' ' || alert FROM outcomes WHERE op_id='op-2'"),
              "persistent-conflict 1");
    auto delta = nlohmann::json::parse(r.text("SELECT delta FROM outcomes WHERE op_id='op-2'"));
    EXPECT_EQ(delta["current"]["x"], 2);
    EXPECT_EQ(r.text("SELECT token_before FROM outcomes WHERE op_id='op-3'"), "(null)");
    // recorded_at is RFC 3339 UTC with milliseconds.
    std::string at = r.text("SELECT recorded_at FROM outcomes WHERE op_id='op-3'");
    EXPECT_EQ(at.size(), 24u) << at;
    EXPECT_EQ(at.back(), 'Z');
}

TEST(SqliteOutcomeLog, ConcurrentWritersLoseNothing) {
    TempDb tmp;
    constexpr int kThreads = 8;
    constexpr int kPerThread = 500;
    {
        // A small queue forces backpressure on the writers.
        SqliteOutcomeLog log({.path = tmp.path(), .queue_capacity = 64, .batch_rows_max = 50});
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&log, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    log.record(success_outcome("r" + std::to_string(i % 7),
                                               std::to_string(t) + "-" + std::to_string(i)));
                }
            });
        }
        for (auto& th : threads)
            th.join();
        log.flush();
        EXPECT_EQ(log.rows_written(), static_cast<std::uint64_t>(kThreads * kPerThread));
        EXPECT_EQ(log.write_errors(), 0u);
    }
    Reader r(tmp.path());
    EXPECT_EQ(r.text("SELECT count(DISTINCT op_id) FROM outcomes"),
              std::to_string(kThreads * kPerThread));
}

TEST(SqliteOutcomeLog, ReopensAndAppends) {
    TempDb tmp;
    {
        SqliteOutcomeLog log({.path = tmp.path()});
        log.record(success_outcome("a", "1"));
    }  // destructor writes the queue
    {
        SqliteOutcomeLog log({.path = tmp.path(), .synchronous = SqliteSynchronous::full});
        log.record(success_outcome("a", "2"));
        log.flush();
    }
    EXPECT_EQ(Reader(tmp.path()).text("SELECT count(*) FROM outcomes"), "2");
}

TEST(SqliteOutcomeLog, RejectsAnotherSchemaVersion) {
    TempDb tmp;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(tmp.path().c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA user_version=7", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    try {
        SqliteOutcomeLog log({.path = tmp.path()});
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "outcome log " + tmp.path() + ": schema version 7, expected 1");
    }
}

TEST(SqliteOutcomeLog, RejectsAForeignOutcomesTable) {
    TempDb tmp;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(tmp.path().c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE outcomes (x)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    EXPECT_THROW(SqliteOutcomeLog({.path = tmp.path()}), std::runtime_error);
}

TEST(SqliteOutcomeLog, UnopenablePathNamesThePath) {
    try {
        SqliteOutcomeLog log({.path = "/nonexistent-dir/x/outcomes.db"});
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_TRUE(
            std::string(e.what()).starts_with("outcome log /nonexistent-dir/x/outcomes.db: "))
            << e.what();
    }
}
