#pragma once
// JsonlOutcomeLog: the transaction log as JSON lines, one to_json(outcome)
// per line (docs/engine.md "Outcome record" lists the fields), appended to a
// file by a background thread and flushed to the OS after every batch.
//
// Thread-safety: record() and flush() may be called from any thread; record()
// blocks only while queue_capacity outcomes are already waiting (the log never
// drops an outcome). Ownership: owns its file and thread; the destructor
// writes what is queued, then closes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "conflictlab/engine/outcome_sink.hpp"

namespace conflictlab::engine {

struct JsonlOutcomeLogOptions {
    // File to append to (created when missing). Required.
    std::string path;
    // Truncate the file at open instead of appending.
    bool truncate = false;
    // Outcomes waiting to be written at most; record() waits beyond it.
    std::size_t queue_capacity = 65'536;
    // Lines written between two flushes to the OS at most.
    std::size_t batch_lines_max = 1'024;
    // flush() gives up (throws std::runtime_error) after this long.
    std::chrono::milliseconds flush_timeout{60'000};
};

class JsonlOutcomeLog final : public OutcomeSink {
  public:
    // Throws std::runtime_error ("outcome log <path>: cannot open ...").
    explicit JsonlOutcomeLog(JsonlOutcomeLogOptions options);
    ~JsonlOutcomeLog() override;
    JsonlOutcomeLog(const JsonlOutcomeLog&) = delete;
    JsonlOutcomeLog& operator=(const JsonlOutcomeLog&) = delete;

    void record(const Outcome& outcome) override;
    // Waits until every outcome recorded before the call is written and
    // flushed to the OS. Throws std::runtime_error on flush_timeout or after
    // a write error since the previous flush.
    void flush() override;

    std::uint64_t lines_written() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conflictlab::engine
