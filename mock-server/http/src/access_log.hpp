#pragma once
// detail: the JSON-lines access log. Sessions hand over one small record per
// exchange (a lock and a move, no formatting); a background thread formats
// and writes them in batches. The pending queue is bounded: when the writer
// falls behind, records are dropped and counted rather than growing memory.
//
// What a line holds: time, peer, method, target (query values of
// token/key/secret/password/auth parameters redacted), status, latency_ms,
// bytes (response body bytes), fate, and the fault rules that fired. Never a
// header value, so never the Authorization header.
//
// Thread-safety: record() from any thread; the destructor flushes and joins.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "conflictlab/common/http_date.hpp"

namespace conflictlab::mock::http::detail {

struct AccessLogRecord {
    WallTime time;
    std::string peer;
    std::string method;
    std::string target;
    int status = 0;  // 0 when no response was sent (reset, close, hang)
    double latency_ms = 0;
    std::size_t bytes = 0;
    std::string fate;         // "respond", "reset", "close", "hang", "bad-request"
    std::string fired_rules;  // comma-separated names, empty when none fired
};

// The target with the values of secret-looking query parameters replaced by
// "REDACTED".
std::string redact_target(std::string_view target);

// One JSON object, no trailing newline.
std::string format_access_log_line(const AccessLogRecord& record);

class AccessLog {
  public:
    // "-" writes to stdout. Throws std::runtime_error naming the path when the
    // file cannot be opened for appending.
    explicit AccessLog(const std::string& path);
    ~AccessLog();
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    void record(AccessLogRecord record);
    // Writes everything recorded so far (blocks until written).
    void flush();
    std::uint64_t dropped() const;

  private:
    void writer_loop();
    void write_batch(std::vector<AccessLogRecord>& batch);

    static constexpr std::size_t kPendingLimit = 100000;  // records
    static constexpr std::chrono::milliseconds kFlushInterval{200};

    std::FILE* file_ = nullptr;
    bool owns_file_ = false;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable flushed_;
    std::vector<AccessLogRecord> pending_;
    std::uint64_t dropped_ = 0;
    std::uint64_t enqueued_ = 0;  // records accepted so far
    std::uint64_t written_ = 0;   // records written so far
    bool stop_ = false;
    std::thread writer_;
};

}  // namespace conflictlab::mock::http::detail
