#pragma once
// QueueStore: what the scaled-out service needs from a shared queue, as an
// interface, so the service core and the lease logic are tested with an
// in-memory fake and only src/redis_queue_store.cpp knows Redis
// (docs/scale-out.md). Three groups of operations:
//
//   membership  heartbeat() puts an instance in the live set for `ttl` and
//               returns the live set; leave() takes it out.
//   leases      one lease per partition: acquire() gives it to an instance
//               that asks while it is free (or its own) with a new fencing
//               token, a number that only grows; renew() extends it while
//               the holder and token still match; release() frees it. The
//               store's own clock decides expiry, so instances need no
//               synchronised clocks.
//   streams     append() stores an event in its partition's stream (once per
//               event id); read_new() and claim_pending() deliver entries to
//               the lease holder; commit() records an outcome and
//               acknowledges the entry, but only while the caller's
//               (instance, token) still holds the partition's lease, checked
//               atomically with the acknowledgement (fencing).
//
//   replay      failed() lists the events whose committed outcome is
//               `failed`, oldest failure first; requeue_failed() appends one
//               again to its partition's stream as a new entry, marked so
//               that it is delivered with `redelivered` set (it starts with
//               the verify step), atomically with the check that it is still
//               failed (`conflictlab replay --failed --queue redis://`).
//
// Errors: a store that cannot be reached throws std::runtime_error naming
// the store and the problem; a fenced call is a value (false / fenced), not
// an exception.
//
// Thread-safety: implementations are thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace conflictlab::service {

// An event to append to a partition's stream.
struct QueueAppend {
    std::uint32_t partition = 0;
    std::string event_id;
    std::string correlation_id;  // used when the event id is new
    std::string resource_id;
    nlohmann::json document;  // the event as received
    std::string received_at;  // RFC 3339
};

struct QueueAppendResult {
    // False: the event id was already known; correlation_id and state then
    // describe the stored event.
    bool inserted = false;
    std::string correlation_id;
    std::string state;  // "queued" for a new event
};

// One stream entry delivered to the partition's owner.
struct QueuedEvent {
    std::uint32_t partition = 0;
    std::string entry_id;  // the stream's id, e.g. "1732800000000-0"
    std::string event_id;
    std::string correlation_id;
    std::string resource_id;
    nlohmann::json document;
    // Taken over from a pending list (a previous owner, or this instance
    // before it lost the lease): it may already have reached the target.
    bool redelivered = false;
};

// An outcome to record for one delivered entry.
struct QueueCommit {
    std::uint32_t partition = 0;
    std::uint64_t token = 0;  // the fencing token the entry was processed under
    std::string entry_id;
    std::string correlation_id;
    std::string kind;         // success | resolved | discarded | failed
    nlohmann::json outcome;   // engine::to_json(outcome)
    std::string finished_at;  // RFC 3339
};

struct PartitionStats {
    std::uint32_t partition = 0;
    std::uint64_t lag = 0;      // entries accepted and not yet committed
    std::uint64_t pending = 0;  // delivered to an owner, not yet committed
    std::string owner;          // lease holder's instance id; empty when free
};

// What requeue_failed() did.
enum class RequeueResult {
    requeued,    // a new entry is in the partition's stream; state "queued"
    not_failed,  // unknown, expired, or no longer failed: nothing changed
    full,        // the partition's backlog bound: nothing changed, try later
};

class QueueStore {
  public:
    virtual ~QueueStore() = default;

    // ---- membership ----
    // Marks `instance` alive for `ttl`, forgets members whose time ran out,
    // and returns the live members (sorted).
    virtual std::vector<std::string> heartbeat(const std::string& instance,
                                               std::chrono::milliseconds ttl) = 0;
    virtual void leave(const std::string& instance) = 0;
    // Stores the partition count when none is stored yet; returns the stored
    // one (instances must agree on P, or events would be hashed differently).
    virtual std::uint32_t register_partitions(std::uint32_t partitions) = 0;

    // ---- leases ----
    // Free (or already held by `instance`): takes it for `ttl` under a new
    // fencing token, greater than every earlier token of the partition, and
    // returns it. Held by another instance: 0.
    virtual std::uint64_t acquire(std::uint32_t partition, const std::string& instance,
                                  std::chrono::milliseconds ttl) = 0;
    // Extends the lease when (instance, token) still holds it; false when lost.
    virtual bool renew(std::uint32_t partition, const std::string& instance, std::uint64_t token,
                       std::chrono::milliseconds ttl) = 0;
    // Frees the lease when (instance, token) holds it.
    virtual void release(std::uint32_t partition, const std::string& instance,
                         std::uint64_t token) = 0;

    // ---- streams ----
    // Appends once per event id (atomically with the duplicate check).
    virtual QueueAppendResult append(const QueueAppend& event) = 0;
    // Entries never delivered, oldest first, at most `max_entries` in all,
    // from the partitions whose lease (instance, token) holds; nothing from
    // the others (the check and the read are one atomic step).
    virtual std::vector<QueuedEvent> read_new(
        const std::vector<std::pair<std::uint32_t, std::uint64_t>>& partition_tokens,
        const std::string& instance, std::size_t max_entries) = 0;
    // Takes over every delivered, unacknowledged entry of the partition (any
    // consumer's), oldest first, at most `max_entries`. REQUIRES: the caller
    // has just acquired the partition's lease.
    virtual std::vector<QueuedEvent> claim_pending(std::uint32_t partition,
                                                   const std::string& instance,
                                                   std::size_t max_entries) = 0;
    // Records each outcome and acknowledges its entry when (instance, token)
    // still holds the partition's lease; result[i] is false when commit i was
    // fenced (nothing recorded, the entry stays pending for the next owner).
    virtual std::vector<bool> commit(const std::string& instance,
                                     const std::vector<QueueCommit>& commits) = 0;

    // ---- replay ----
    // Correlation ids of failed events, oldest failure first: positions
    // [offset, offset + count) of that list.
    virtual std::vector<std::string> failed(std::size_t offset, std::size_t count) = 0;
    // Requeues one failed event (see above).
    virtual RequeueResult requeue_failed(std::string_view correlation_id) = 0;

    // ---- views ----
    // The stored state of an event by correlation id: {event_id, resource_id,
    // partition, state, received_at, finished_at, outcome, event}; nullopt
    // when unknown.
    virtual std::optional<nlohmann::json> status(std::string_view correlation_id) = 0;
    virtual std::vector<PartitionStats> stats(std::uint32_t partitions) = 0;
};

}  // namespace conflictlab::service
