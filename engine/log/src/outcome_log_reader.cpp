#include "conflictlab/engine/outcome_log_reader.hpp"

#include <array>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include <sqlite3.h>

#include "conflictlab/engine/sqlite_outcome_log.hpp"

namespace conflictlab::engine {

namespace {

using nlohmann::json;

// The SQLite file format's header string (https://sqlite.org/fileformat.html
// 1.3), NUL included.
constexpr std::string_view kSqliteHeader{"SQLite format 3\0", 16};

// The fields both formats share, in the JSON-lines spelling.
constexpr std::array<const char*, 7> kFields = {"correlation_id", "event_id", "resource_id", "kind",
                                                "path",           "reason",   "attempts"};

std::size_t read_jsonl(const std::string& path, const std::function<void(const json&)>& each) {
    std::ifstream in(path);
    if (!in)
        throw std::invalid_argument(path + ": cannot read the file");
    std::size_t records = 0;
    std::string line;
    // Bounded by the file: one record per line.
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (line.empty())
            continue;
        const json o = json::parse(line, nullptr, false);
        if (!o.is_object() || !o.contains("correlation_id") || !o["correlation_id"].is_string() ||
            o["correlation_id"].get<std::string>().empty()) {
            throw std::invalid_argument(path + ":" + std::to_string(n) +
                                        ": not an outcome record (a JSON object with "
                                        "correlation_id)");
        }
        json r = json::object();
        for (const char* f : kFields)
            r[f] = o.value(f, json(nullptr));
        each(r);
        ++records;
    }
    return records;
}

class ReadOnlyDb {
  public:
    explicit ReadOnlyDb(const std::string& path) : path_(path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
            fail("cannot open");
    }
    ~ReadOnlyDb() {
        sqlite3_finalize(st_);
        sqlite3_close_v2(db_);
    }
    ReadOnlyDb(const ReadOnlyDb&) = delete;
    ReadOnlyDb& operator=(const ReadOnlyDb&) = delete;

    sqlite3_stmt* prepare(const char* sql) {
        sqlite3_finalize(st_);
        st_ = nullptr;
        if (sqlite3_prepare_v2(db_, sql, -1, &st_, nullptr) != SQLITE_OK)
            fail("cannot read");
        return st_;
    }
    int step() {
        const int rc = sqlite3_step(st_);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            fail("cannot read");
        return rc;
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw std::invalid_argument(path_ + ": " + what + ": " +
                                    (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
    }

  private:
    std::string path_;
    sqlite3* db_ = nullptr;
    sqlite3_stmt* st_ = nullptr;
};

std::string column_text(sqlite3_stmt* st, int i) {
    const auto* t = sqlite3_column_text(st, i);
    return t != nullptr ? reinterpret_cast<const char*>(t) : std::string();
}

std::size_t read_sqlite(const std::string& path, const std::function<void(const json&)>& each) {
    ReadOnlyDb db(path);
    sqlite3_stmt* st = db.prepare("PRAGMA user_version");
    const int version = db.step() == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    st = db.prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='outcomes'");
    const bool has_table = db.step() == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    if (!has_table || version != SqliteOutcomeLog::kSchemaVersion) {
        throw std::invalid_argument(
            path + ": an SQLite database but not a conflictlab outcome log (" +
            (has_table ? "schema version " + std::to_string(version) + ", expected " +
                             std::to_string(SqliteOutcomeLog::kSchemaVersion)
                       : std::string("no table 'outcomes'")) +
            ")");
    }
    st = db.prepare(
        "SELECT correlation_id, event_id, resource_id, kind, path, reason, attempts "
        "FROM outcomes ORDER BY id");
    std::size_t records = 0;
    // Bounded by the table: one step per row.
    while (db.step() == SQLITE_ROW) {
        json r = json::object();
        for (int i = 0; i < 6; ++i)
            r[kFields[static_cast<std::size_t>(i)]] = column_text(st, i);
        r["attempts"] = sqlite3_column_int64(st, 6);
        each(r);
        ++records;
    }
    return records;
}

}  // namespace

OutcomeLogFormat detect_outcome_log_format(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::invalid_argument(path + ": cannot read the file");
    std::string head(kSqliteHeader.size(), '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    if (head == kSqliteHeader)
        return OutcomeLogFormat::sqlite;
    const auto first = head.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || head[first] == '{')
        return OutcomeLogFormat::jsonl;
    throw std::invalid_argument(path +
                                ": not an outcome log (neither an SQLite database nor JSON lines)");
}

std::size_t read_outcome_log(const std::string& path,
                             const std::function<void(const json&)>& each) {
    return detect_outcome_log_format(path) == OutcomeLogFormat::sqlite ? read_sqlite(path, each)
                                                                       : read_jsonl(path, each);
}

}  // namespace conflictlab::engine
