#pragma once
// FakeResolver: records resolve() calls; the test completes them by hand, so
// services are tested without sockets. Thread-safe.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "conflictlab/service/resolver.hpp"

namespace conflictlab::service::testing {

// Records resolve() calls; the test completes them.
class FakeResolver final : public Resolver {
  public:
    struct Call {
        engine::Update update;
        OnDone on_done;
    };

    void resolve(engine::Update update, OnDone on_done) override {
        std::lock_guard lock(mutex_);
        calls_.push_back({std::move(update), std::move(on_done)});
        changed_.notify_all();
    }
    bool wait_idle(std::chrono::milliseconds) override { return true; }

    // Waits until at least n calls were made; returns them.
    std::vector<engine::Update> wait_calls(
        std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return calls_.size() >= n; });
        std::vector<engine::Update> out;
        for (const auto& c : calls_)
            out.push_back(c.update);
        return out;
    }
    std::size_t count() {
        std::lock_guard lock(mutex_);
        return calls_.size();
    }
    // Completes call i with an outcome of `kind`.
    void complete(std::size_t i, engine::OutcomeKind kind = engine::OutcomeKind::success) {
        OnDone done;
        engine::Outcome o;
        {
            std::lock_guard lock(mutex_);
            const auto& u = calls_.at(i).update;
            o.kind = kind;
            o.path = "direct";
            o.resource_id = u.resource_id;
            o.correlation_id = u.correlation_id;
            o.event_id = u.event_id;
            o.op_id = u.op_id;
            o.alert = kind == engine::OutcomeKind::failed;
            done = calls_.at(i).on_done;
        }
        done(o);
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Call> calls_;
};

}  // namespace conflictlab::service::testing
