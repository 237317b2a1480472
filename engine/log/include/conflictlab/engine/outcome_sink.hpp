#pragma once
// OutcomeSink: where finished resolutions go (the transaction log, the
// monitor, the alert sender). Drivers hand every Outcome to the caller, who
// records it in one or more sinks; FanoutSink records into several.
//
// Contract for implementations: record() is thread-safe (the async driver's
// callbacks come from several I/O threads), does not do slow I/O on the
// caller's thread beyond a bounded hand-off, and never stores secrets.
// flush() returns once everything recorded before the call is durable or
// delivered as far as that sink promises (documented per sink).
//
// Thread-safety: implementations are thread-safe. Ownership: FanoutSink shares
// ownership of its sinks.

#include <memory>
#include <vector>

#include "conflictlab/engine/outcome.hpp"

namespace conflictlab::engine {

class OutcomeSink {
  public:
    virtual ~OutcomeSink() = default;
    virtual void record(const Outcome& outcome) = 0;
    virtual void flush() {}
};

// Records into every sink, in the order they were added.
// REQUIRES: add() is called before the sink is shared between threads.
class FanoutSink final : public OutcomeSink {
  public:
    FanoutSink() = default;
    explicit FanoutSink(std::vector<std::shared_ptr<OutcomeSink>> sinks)
        : sinks_(std::move(sinks)) {}
    void add(std::shared_ptr<OutcomeSink> sink) { sinks_.push_back(std::move(sink)); }
    void record(const Outcome& outcome) override {
        for (auto& s : sinks_)
            s->record(outcome);
    }
    void flush() override {
        for (auto& s : sinks_)
            s->flush();
    }

  private:
    std::vector<std::shared_ptr<OutcomeSink>> sinks_;
};

}  // namespace conflictlab::engine
