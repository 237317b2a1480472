#pragma once
// detail::BatchQueue: a bounded multi-producer queue drained in batches by one
// background thread. Producers either wait for room (the transaction log:
// outcomes must not be lost) or give up at once (the monitor: drop and
// count). flush-style waiters wait until everything pushed before them has
// been processed (the worker calls done() after each batch).
//
// Thread-safety: all members are thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace conflictlab::engine::detail {

template <class T>
class BatchQueue {
  public:
    explicit BatchQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

    // False when full or closed (the item is not taken).
    bool try_push(T&& item) {
        {
            std::lock_guard lock(mutex_);
            if (closed_ || items_.size() >= capacity_)
                return false;
            items_.push_back(std::move(item));
            ++pushed_;
        }
        not_empty_.notify_one();
        return true;
    }

    // Waits for room; false only when closed.
    bool push_wait(T&& item) {
        {
            std::unique_lock lock(mutex_);
            not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
            if (closed_)
                return false;
            items_.push_back(std::move(item));
            ++pushed_;
        }
        not_empty_.notify_one();
        return true;
    }

    // Worker: waits for items, moves up to `max` of them into `out` (cleared
    // first). False when closed and nothing is left.
    bool pop_batch(std::vector<T>& out, std::size_t max) {
        out.clear();
        {
            std::unique_lock lock(mutex_);
            not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
            if (items_.empty())
                return false;
            while (!items_.empty() && out.size() < max) {
                out.push_back(std::move(items_.front()));
                items_.pop_front();
            }
        }
        not_full_.notify_all();
        return true;
    }

    // Worker: `n` popped items are processed.
    void done(std::size_t n) {
        {
            std::lock_guard lock(mutex_);
            processed_ += n;
        }
        drained_.notify_all();
    }

    // Waits until every item pushed before the call is processed, at most
    // `timeout`; true when it is.
    bool wait_processed(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        std::uint64_t target = pushed_;
        return drained_.wait_for(lock, timeout, [&] { return processed_ >= target; });
    }

    // Rejects further pushes; the worker drains what is left, then pop_batch
    // returns false.
    void close() {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        not_empty_.notify_all();
        not_full_.notify_all();
    }

    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return items_.size();
    }

  private:
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable not_empty_, not_full_, drained_;
    std::deque<T> items_;
    std::uint64_t pushed_ = 0;
    std::uint64_t processed_ = 0;
    bool closed_ = false;
};

}  // namespace conflictlab::engine::detail
