#pragma once
// The QueueStore on Redis Streams (`conflictlab serve --queue
// redis://HOST:PORT`, docs/scale-out.md). Only src/redis_queue_store.cpp
// includes hiredis; this header has no Redis type in it.
//
// Keys (PREFIX = key_prefix; one Redis, not Redis Cluster: the scripts touch
// several keys):
//   PREFIX:partitions        P, set by the first instance; the others must agree
//   PREFIX:members           sorted set: instance id -> expiry (Redis ms clock)
//   PREFIX:lease:{p}         "instance|token", PX lease_ttl
//   PREFIX:fence:{p}         the partition's last fencing token (INCR)
//   PREFIX:stream:{p}        the partition's stream, consumer group `group`;
//                            committed entries are XACKed and XDELed, so
//                            XLEN is the partition's lag
//   PREFIX:event:{event id}  correlation id (duplicate check), EX retention
//   PREFIX:status:{corr id}  hash: event_id resource_id partition state
//                            received_at event entry_id [outcome finished_at
//                            finished_by] [replays], EX retention
//   PREFIX:failed            sorted set: correlation ids of failed events,
//                            score = failure time (Redis ms clock); what
//                            `replay --failed` requeues; trimmed to retention
//
// Every multi-key step is one Lua script (EVAL), so it is atomic: append
// (duplicate check + backlog bound + XADD + status), read_new (lease check +
// XREADGROUP), commit (lease check + outcome + failed set + XACK + XDEL),
// requeue_failed (state check + backlog bound + XADD with `replay` 1 +
// status), and the lease operations. Expiry uses Redis's clock only.
//
// Thread-safety: thread-safe (a bounded pool of connections).
// Ownership: owns its connections.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "conflictlab/service/queue_store.hpp"

namespace conflictlab::service {

struct RedisQueueOptions {
    // Redis host (an IP address or name) and port.
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    // Prefix of every key, so several deployments can share one Redis.
    std::string key_prefix = "conflictlab";
    // Consumer group of every partition stream.
    std::string group = "conflictlab";
    // Connect and per-command socket timeouts.
    std::chrono::milliseconds connect_timeout{1'000};
    std::chrono::milliseconds command_timeout{5'000};
    // Connections at most (callers beyond it wait for one).
    std::size_t connections_max = 8;
    // How long event ids (duplicate check) and event states are kept.
    std::chrono::seconds retention{7 * 24 * 3600};
    // A partition stream holding this many unfinished events refuses appends
    // (the service answers 429).
    std::size_t partition_backlog_max = 1'000'000;
};

// "redis://HOST:PORT" (PORT defaults to 6379). Throws std::invalid_argument
// naming what is wrong.
RedisQueueOptions parse_redis_url(const std::string& url);

// Redis did not answer PING within the wait.
class RedisUnavailable : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Connects, retrying every 200 ms until Redis answers PING or `wait_max`
// has passed (then throws RedisUnavailable: "redis HOST:PORT: not reachable
// after N ms (<last error>)").
std::shared_ptr<QueueStore> connect_redis_queue(const RedisQueueOptions& options,
                                                std::chrono::milliseconds wait_max);

}  // namespace conflictlab::service
