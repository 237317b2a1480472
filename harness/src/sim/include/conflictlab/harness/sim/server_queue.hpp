#pragma once
// ServerQueue: who the simulated server serves when. A pure queueing model
// (no clock, no handler): the simulator tells it that a request arrived or
// finished, and it answers which requests start service now, so the
// simulator can schedule their completion.
//
//   arrive(id, "/resources/a", true) -> {id} (served now) or {} (waiting)
//   finish(id)                       -> the requests that start now
//
// Rules (ServerModel): at most `concurrency_limit` requests in service (0 =
// unlimited), the rest wait in one FIFO queue; with `serialize_writes` a
// write waits, holding its slot like a worker blocked on a row lock, until
// the previous write to the same resource has finished, in arrival order.
//
// Bounded: requests waiting are bounded by the caller (each simulated writer
// has at most one request outstanding, plus the abandoned ones of timed-out
// exchanges); per-resource state is dropped as soon as a resource is idle.
//
// Thread-safety: none; one simulation thread.

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace conflictlab::harness::sim {

class ServerQueue {
  public:
    // `concurrency_limit` 0 = unlimited.
    ServerQueue(int concurrency_limit, bool serialize_writes);

    // Request `id` (unique among requests not yet finished) for resource path
    // `resource` arrived. Returns the ids that start service now.
    std::vector<std::uint64_t> arrive(std::uint64_t id, std::string resource, bool is_write);
    // REQUIRES: `id` is in service (returned by arrive or finish). Returns
    // the ids that start service now (the next write of the resource, the
    // next request waiting for a slot).
    std::vector<std::uint64_t> finish(std::uint64_t id);

    int in_service() const noexcept { return in_service_; }
    std::size_t waiting_for_slot() const noexcept { return slot_queue_.size(); }
    // Resources with a write in service or waiting.
    std::size_t locked_resources() const noexcept { return locks_.size(); }

  private:
    struct Meta {
        std::string resource;
        bool is_write = false;
        bool serving = false;
    };
    struct Lock {
        std::deque<std::uint64_t> waiters;  // hold a slot, wait for the lock
    };
    void admit(std::uint64_t id, std::vector<std::uint64_t>& started);

    int limit_;
    bool serialize_writes_;
    int in_service_ = 0;  // requests holding a slot (served or blocked on a lock)
    std::deque<std::uint64_t> slot_queue_;
    std::unordered_map<std::string, Lock> locks_;  // present = a write holds the lock
    std::unordered_map<std::uint64_t, Meta> meta_;
};

}  // namespace conflictlab::harness::sim
