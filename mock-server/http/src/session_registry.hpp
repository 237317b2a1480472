#pragma once
// detail: the sessions a server has open, so a graceful stop can reach every
// one of them. Sessions register once when they start and leave in their
// destructor: a lock per connection, never per request.
//
// Thread-safety: all members are safe to call from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace conflictlab::mock::http::detail {

// What the server asks of a session when stopping. Both post to the session's
// own executor, so they are safe to call from any thread.
class SessionControl {
  public:
    virtual ~SessionControl() = default;
    // Phase one: close if idle or hanging; otherwise finish the response in
    // flight and then close.
    virtual void begin_shutdown() = 0;
    // Phase two: close now, whatever the session is doing.
    virtual void force_close() = 0;
};

class SessionRegistry {
  public:
    void add(SessionControl* key, std::weak_ptr<SessionControl> session) {
        std::lock_guard lock(mutex_);
        sessions_.emplace(key, std::move(session));
    }

    // Called from the session's destructor; wakes wait_until_empty().
    void remove(SessionControl* key) {
        std::lock_guard lock(mutex_);
        sessions_.erase(key);
        if (sessions_.empty())
            empty_.notify_all();
    }

    std::vector<std::shared_ptr<SessionControl>> snapshot() const {
        std::lock_guard lock(mutex_);
        std::vector<std::shared_ptr<SessionControl>> out;
        out.reserve(sessions_.size());
        for (const auto& [key, weak] : sessions_) {
            if (auto s = weak.lock())
                out.push_back(std::move(s));
        }
        return out;
    }

    // True when no session is left before `deadline`.
    template <class TimePoint>
    bool wait_until_empty(TimePoint deadline) {
        std::unique_lock lock(mutex_);
        return empty_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable empty_;
    std::unordered_map<SessionControl*, std::weak_ptr<SessionControl>> sessions_;
};

}  // namespace conflictlab::mock::http::detail
