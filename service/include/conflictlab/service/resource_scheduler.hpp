#pragma once
// ResourceScheduler: the service's processing order, with no threads, clocks
// or I/O in it. Events for one resource form a FIFO lane and run one at a
// time, in arrival (push) order; different resources run concurrently, at
// most active_resources_max at once. Resources waiting for a slot are served
// round-robin (FIFO of ready lanes), so one hot resource cannot starve the
// others: after each of its events it goes to the back of the line.
//
//   scheduler.push(job);                 // arrival
//   while (auto job = scheduler.next())  // start whatever may start now
//       start(*job);
//   scheduler.complete(job.resource_id); // that resource may run its next
//
// Invariant: a lane is in the ready line iff it is not running and not empty.
//
// Thread-safety: none (the Service guards it with its mutex).
// Ownership: holds the queued jobs by value.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace conflictlab::service {

// One stored event waiting to be applied.
struct Job {
    std::int64_t seq = 0;        // store sequence number (arrival order)
    std::string correlation_id;  // returned with the 202
    std::string resource_id;
    nlohmann::json document;  // the event as stored
    // Start with a verify step (the event may already have been applied:
    // resumed after a crash, or replayed). See docs/service.md.
    bool verify_first = false;
};

class ResourceScheduler {
  public:
    // REQUIRES: active_resources_max >= 1.
    explicit ResourceScheduler(std::size_t active_resources_max);

    // Appends a job to its resource's lane.
    void push(Job job);
    // The next job allowed to start (its resource becomes running), or
    // nothing when every ready lane waits for a slot or none is ready.
    std::optional<Job> next();
    // The running job of `resource_id` finished. Throws std::logic_error when
    // that resource is not running.
    void complete(std::string_view resource_id);

    std::size_t queued() const noexcept { return queued_; }    // pushed, not started
    std::size_t running() const noexcept { return running_; }  // started, not completed
    std::size_t lanes() const noexcept { return lanes_.size(); }
    std::size_t active_resources_max() const noexcept { return active_max_; }
    // True when `resource_id` has a running job.
    bool is_running(std::string_view resource_id) const;

  private:
    struct Lane {
        std::deque<Job> jobs;
        bool running = false;
    };

    std::size_t active_max_;
    std::unordered_map<std::string, Lane> lanes_;
    std::deque<std::string> ready_;
    std::size_t queued_ = 0;
    std::size_t running_ = 0;
};

}  // namespace conflictlab::service
