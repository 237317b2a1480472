#pragma once
// QueuedService: the webhook service scaled out over a shared queue
// (`conflictlab serve --queue redis://HOST:PORT`, docs/scale-out.md). Every
// instance runs one; they share nothing but the QueueStore. Theory of
// operation:
//
//   POST /webhook  the same checks as the embedded service
//                  (webhook_admission.hpp) -> partition_of(resource id) ->
//                  QueueStore::append (duplicate check + stream append, one
//                  atomic step) -> 202 only after the append succeeded; a
//                  known event id answers 200 {duplicate: true}. Any instance
//                  accepts any event.
//   ownership      the consumer thread ticks a LeaseKeeper every `tick`:
//                  heartbeat, rebalance plan, lease renewals, acquisitions.
//                  A newly acquired partition first takes over the pending
//                  entries of its previous owner (claim_pending), then reads
//                  new entries (read_new, fenced by the lease).
//   processing     ResourceScheduler, as in the embedded service: one event
//                  in flight per resource, in stream order. The first
//                  taken-over entry of each resource starts with the verify
//                  step (service.hpp kVerifyToken): the dead owner may have
//                  applied it. A job whose partition was lost (or re-acquired
//                  under a newer token) is dropped unstarted.
//   outcome        transaction log (flushed to the OS) -> QueueStore::commit
//                  (fencing token checked atomically with the outcome record
//                  and the XACK) -> the resource's next event may start. A
//                  fenced commit records nothing: the entry stays pending for
//                  the partition's new owner. A commit the store cannot take
//                  (store down) is retried, and the resource waits: its next
//                  event never overtakes an unacknowledged one.
//
// Thread-safety: handle(), stats() and prometheus_text() from any thread;
// start() and stop() from one controlling thread.
// Ownership: shares the store; owns the resolver (destroyed first).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "conflictlab/service/http_types.hpp"
#include "conflictlab/service/lease_keeper.hpp"
#include "conflictlab/service/queue_store.hpp"
#include "conflictlab/service/service.hpp"

namespace conflictlab::service {

struct QueuedServiceOptions {
    // Intake checks and limits shared with the embedded service: trigger,
    // webhook_secret, signature_header, queue_capacity (here: events held in
    // one partition's stream at most, 429 beyond; and events delivered to
    // this instance and not finished at most, reads pause beyond it),
    // active_resources_max, retry_after, store_batch_max (commits per store
    // round trip), writer_id, stop_grace. `store` and `replay_poll` are not
    // used.
    ServiceOptions service;
    // Instance id, partitions P, lease ttl, drain bound (lease_keeper.hpp).
    LeaseKeeperOptions leases;
    // Heartbeat / lease renewal period. REQUIRES: tick <= leases.lease_ttl / 3.
    std::chrono::milliseconds tick{1'000};
    // Wait between two reads that found nothing.
    std::chrono::milliseconds read_poll{10};
    // Entries per read at most.
    std::size_t read_batch_max = 256;
    // A commit the store refused with an error is retried after this long.
    std::chrono::milliseconds commit_retry{200};
};

struct QueuedServiceDeps {
    // The shared queue. Required.
    std::shared_ptr<QueueStore> store;
    // Resolver (required), transaction log, monitor, alerts, wall clock, log
    // line and id seed, as for the embedded service.
    ServiceDeps service;
    // Monotonic clock for ticks, drain deadlines and the local lease check.
    // Default: std::chrono::steady_clock::now.
    std::function<std::chrono::steady_clock::time_point()> steady_clock;
};

struct QueuedServiceStats {
    std::uint64_t accepted = 0;     // appended, 202
    std::uint64_t duplicates = 0;   // known event id, 200
    std::uint64_t ignored = 0;      // trigger conditions, 204
    std::uint64_t rejected = 0;     // 400 and 401
    std::uint64_t throttled = 0;    // 429 (partition backlog full)
    std::uint64_t committed = 0;    // outcomes recorded and acknowledged
    std::uint64_t fenced = 0;       // commits refused: the lease was lost
    std::uint64_t skipped = 0;      // jobs dropped unstarted: the lease was lost
    std::uint64_t redelivered = 0;  // entries taken over from pending lists
    std::uint64_t store_errors = 0;
    std::uint64_t queued_now = 0;
    std::uint64_t running_now = 0;
    std::uint64_t partitions_held = 0;
    std::uint64_t members = 0;
};

class QueuedService final : public RequestHandler {
  public:
    // Throws std::invalid_argument (options, missing deps) or
    // std::runtime_error (secret, or P differs from the one in the store).
    QueuedService(QueuedServiceOptions options, QueuedServiceDeps deps);
    ~QueuedService() override;
    QueuedService(const QueuedService&) = delete;
    QueuedService& operator=(const QueuedService&) = delete;

    // Joins the live set (first tick) and starts the consumer and committer
    // threads. REQUIRES: called once, before handle().
    void start();
    // Routes: POST /webhook, GET /events/{correlation id}, GET /metrics,
    // GET /healthz.
    void handle(HttpRequest request, Respond respond) override;
    // New webhooks get 503; reads stop; resolutions in flight get stop_grace
    // to finish and commit; then the leases are released (the next owner
    // takes over at once) and the instance leaves the live set. Idempotent.
    void stop();

    QueuedServiceStats stats() const;
    std::string prometheus_text() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conflictlab::service
