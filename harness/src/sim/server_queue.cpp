#include "conflictlab/harness/sim/server_queue.hpp"

#include <stdexcept>

namespace conflictlab::harness::sim {

ServerQueue::ServerQueue(int concurrency_limit, bool serialize_writes)
    : limit_(concurrency_limit < 0 ? 0 : concurrency_limit), serialize_writes_(serialize_writes) {}

std::vector<std::uint64_t> ServerQueue::arrive(std::uint64_t id, std::string resource,
                                               bool is_write) {
    if (!meta_.emplace(id, Meta{std::move(resource), is_write, false}).second)
        throw std::logic_error("ServerQueue::arrive: request id already queued");
    std::vector<std::uint64_t> started;
    if (limit_ > 0 && in_service_ >= limit_) {
        slot_queue_.push_back(id);
        return started;
    }
    ++in_service_;
    admit(id, started);
    return started;
}

// `id` holds a slot: serve it now, unless it is a write whose resource is
// locked (then it waits for the lock, keeping its slot).
void ServerQueue::admit(std::uint64_t id, std::vector<std::uint64_t>& started) {
    Meta& m = meta_.at(id);
    if (serialize_writes_ && m.is_write) {
        auto [it, fresh] = locks_.try_emplace(m.resource);
        if (!fresh) {
            it->second.waiters.push_back(id);
            return;
        }
    }
    m.serving = true;
    started.push_back(id);
}

std::vector<std::uint64_t> ServerQueue::finish(std::uint64_t id) {
    const auto it = meta_.find(id);
    if (it == meta_.end() || !it->second.serving)
        throw std::logic_error("ServerQueue::finish: request is not in service");
    std::vector<std::uint64_t> started;
    if (serialize_writes_ && it->second.is_write) {
        const auto lock = locks_.find(it->second.resource);
        if (lock != locks_.end()) {
            if (lock->second.waiters.empty()) {
                locks_.erase(lock);
            } else {
                // Hand the lock over: the next write already holds a slot.
                const std::uint64_t next = lock->second.waiters.front();
                lock->second.waiters.pop_front();
                meta_.at(next).serving = true;
                started.push_back(next);
            }
        }
    }
    meta_.erase(it);
    --in_service_;
    if (!slot_queue_.empty() && (limit_ == 0 || in_service_ < limit_)) {
        const std::uint64_t next = slot_queue_.front();
        slot_queue_.pop_front();
        ++in_service_;
        admit(next, started);
    }
    return started;
}

}  // namespace conflictlab::harness::sim
