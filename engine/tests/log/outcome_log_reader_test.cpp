#include "conflictlab/engine/outcome_log_reader.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <sqlite3.h>

#include "conflictlab/engine/jsonl_outcome_log.hpp"
#include "conflictlab/engine/sqlite_outcome_log.hpp"
#include "test_outcomes.hpp"

using namespace conflictlab::engine;
using namespace conflictlab::engine::testing;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

class TempDir {
  public:
    TempDir() {
        dir_ = fs::temp_directory_path() /
               ("conflictlab_reader_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~TempDir() { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

  private:
    fs::path dir_;
};

std::vector<json> read_all(const std::string& path) {
    std::vector<json> out;
    const std::size_t n = read_outcome_log(path, [&](const json& r) { out.push_back(r); });
    EXPECT_EQ(n, out.size());
    return out;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::string error_of(const std::string& path) {
    try {
        read_all(path);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

const json kResolved = {{"correlation_id", "corr-op-1"},
                        {"event_id", "ev-op-1"},
                        {"resource_id", "res-a"},
                        {"kind", "resolved"},
                        {"path", "refetch>merge>retry"},
                        {"reason", "none"},
                        {"attempts", 2}};

}  // namespace

TEST(OutcomeLogReader, BothFormatsGiveTheSameRecords) {
    TempDir dir;
    // Names that do not tell the format: the first bytes do.
    const std::string sqlite = dir.path("a.log");
    const std::string jsonl = dir.path("b.log");
    {
        SqliteOutcomeLog s({.path = sqlite});
        JsonlOutcomeLog j({.path = jsonl});
        for (OutcomeSink* sink : std::vector<OutcomeSink*>{&s, &j}) {
            sink->record(resolved_outcome("res-a", "op-1"));
            sink->record(failed_outcome("res-b", "op-2"));
            sink->flush();
        }
    }
    EXPECT_EQ(detect_outcome_log_format(sqlite), OutcomeLogFormat::sqlite);
    EXPECT_EQ(detect_outcome_log_format(jsonl), OutcomeLogFormat::jsonl);
    const auto from_sqlite = read_all(sqlite);
    const auto from_jsonl = read_all(jsonl);
    ASSERT_EQ(from_sqlite.size(), 2u);
    EXPECT_EQ(from_sqlite, from_jsonl);
    EXPECT_EQ(from_sqlite[0], kResolved);
    EXPECT_EQ(from_sqlite[1]["kind"], "failed");
    EXPECT_EQ(from_sqlite[1]["correlation_id"], "corr-op-2");
}

TEST(OutcomeLogReader, AnEmptyFileIsAnEmptyJsonLinesLog) {
    TempDir dir;
    write_text(dir.path("e.jsonl"), "");
    EXPECT_EQ(detect_outcome_log_format(dir.path("e.jsonl")), OutcomeLogFormat::jsonl);
    EXPECT_TRUE(read_all(dir.path("e.jsonl")).empty());
}

TEST(OutcomeLogReader, UnknownFormatIsRefusedNamingTheFile) {
    TempDir dir;
    const std::string p = dir.path("x.bin");
    write_text(p, std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(error_of(p), p + ": not an outcome log (neither an SQLite database nor JSON lines)");
    EXPECT_EQ(error_of(dir.path("missing")), dir.path("missing") + ": cannot read the file");
}

TEST(OutcomeLogReader, ALineThatIsNotAnOutcomeNamesFileAndLine) {
    TempDir dir;
    const std::string p = dir.path("bad.jsonl");
    write_text(p, kResolved.dump() + "\n\n{not json\n");
    EXPECT_EQ(error_of(p), p + ":3: not an outcome record (a JSON object with correlation_id)");
    write_text(p, "{\"kind\": \"success\"}\n");
    EXPECT_EQ(error_of(p), p + ":1: not an outcome record (a JSON object with correlation_id)");
}

TEST(OutcomeLogReader, AnotherSqliteDatabaseIsRefused) {
    TempDir dir;
    const std::string p = dir.path("other.db");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(p.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE events (id INTEGER)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    EXPECT_EQ(detect_outcome_log_format(p), OutcomeLogFormat::sqlite);
    EXPECT_EQ(error_of(p),
              p + ": an SQLite database but not a conflictlab outcome log (no table 'outcomes')");
    ASSERT_EQ(sqlite3_open(p.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE outcomes (id INTEGER); PRAGMA user_version=7", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    EXPECT_EQ(error_of(p), p + ": an SQLite database but not a conflictlab outcome log (schema "
                               "version 7, expected 1)");
}
