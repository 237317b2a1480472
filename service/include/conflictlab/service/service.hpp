#pragma once
// Service: the engine as a webhook-driven sync service, without any
// networking of its own (the Beast front end in http_server.hpp feeds it
// requests; a Resolver applies updates). Theory of operation:
//
//   POST /webhook  signature (optional HMAC-SHA256) -> parse + validate ->
//                  trigger conditions (204 when ignored) -> intake bound
//                  (429 + Retry-After when full) -> the store writer thread
//                  commits the event (group commit: one transaction, one
//                  fsync, for every event waiting) -> 202 {correlation_id}.
//                  A known event id answers 200 {duplicate: true}.
//   processing     ResourceScheduler: one event in flight per resource, in
//                  arrival order; at most active_resources_max resources at
//                  once. The next event of a resource starts only after the
//                  previous one's outcome is committed, so after a crash at
//                  most the first unfinished event of each resource may have
//                  reached the target: that one is resumed with a verify step
//                  (see verify_token below), the rest are resent as usual.
//   outcome        transaction log, monitor (conflicts, without waiting),
//                  alerts (Failed), and the event's row (state done).
//   replay         `conflictlab replay` marks failed rows; the writer thread
//                  polls for them and queues them with a verify step.
//
// Thread-safety: handle(), stats() and prometheus_text() may be called from
// any thread. start() and stop() from one controlling thread.
// Ownership: owns the store, its thread and the resolver given in deps
// (destroyed first, in the destructor, so no callback outlives the service).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "conflictlab/engine/alert_sender.hpp"
#include "conflictlab/engine/monitor.hpp"
#include "conflictlab/engine/outcome_sink.hpp"
#include "conflictlab/service/event_store.hpp"
#include "conflictlab/service/http_types.hpp"
#include "conflictlab/service/resolver.hpp"
#include "conflictlab/service/trigger.hpp"

namespace conflictlab::service {

// The If-Match value sent first by a verify step: a token no server issues,
// so the target answers 412 and the engine fetches the current state, finds
// the update already applied (Resolved, path ...already-applied) or resends
// it with the fresh token. This reuses the engine's own conflict path.
inline constexpr std::string_view kVerifyToken = "\"conflictlab-verify\"";

struct ServiceOptions {
    // The durable intake (path, synchronous mode).
    EventStoreOptions store;
    // Which valid events are processed.
    TriggerOptions trigger;
    // Webhook signature secret source ("env:NAME" / "file:PATH", read at
    // construction). Empty: signatures are not checked.
    std::string webhook_secret;
    // Header carrying "sha256=<hex>" (signature.hpp).
    std::string signature_header = "X-Signature-256";
    // Events accepted and not finished (storing + queued + running) at most;
    // beyond it POST /webhook answers 429 with Retry-After.
    std::size_t queue_capacity = 10'000;
    // Resources with an event in flight at most (different resources run
    // concurrently up to this bound).
    std::size_t active_resources_max = 64;
    // Retry-After of a 429, in seconds.
    std::chrono::seconds retry_after{1};
    // Events and outcomes per store transaction at most (group commit).
    std::size_t store_batch_max = 1'024;
    // How often the store is polled for events marked by `conflictlab replay`.
    std::chrono::milliseconds replay_poll{1'000};
    // X-Writer-Id sent with every write.
    std::string writer_id = "conflictlab-serve";
    // stop(): how long resolutions in flight may take to finish.
    std::chrono::milliseconds stop_grace{10'000};
};

struct ServiceDeps {
    // Applies updates. Required; the service takes ownership.
    std::unique_ptr<Resolver> resolver;
    // The transaction log (JSON lines or SQLite). Optional.
    std::shared_ptr<engine::OutcomeSink> transaction_log;
    // Conflict publication and outcome counters. Optional.
    std::shared_ptr<engine::Monitor> monitor;
    // Adaptive Card alerts for Failed outcomes. Optional.
    std::shared_ptr<engine::AlertSender> alerts;
    // Wall clock for received_at / finished_at. Default: system_clock.
    std::function<WallTime()> wall_clock;
    // One operational log line (JSON, no trailing newline). Default: stderr.
    std::function<void(std::string_view)> log_line;
    // Seed of the correlation id generator; 0: from std::random_device.
    std::uint64_t seed = 0;
};

struct ServiceStats {
    std::uint64_t webhooks = 0;            // POST /webhook requests
    std::uint64_t accepted = 0;            // stored, 202
    std::uint64_t duplicates = 0;          // known event id, 200
    std::uint64_t ignored = 0;             // trigger conditions, 204
    std::uint64_t rejected_signature = 0;  // 401
    std::uint64_t rejected_invalid = 0;    // 400
    std::uint64_t throttled = 0;           // 429
    std::uint64_t store_errors = 0;        // failed transactions
    std::uint64_t commits = 0;             // store transactions
    std::uint64_t resumed = 0;             // unfinished events found at start
    std::uint64_t replayed = 0;            // replays picked up
    std::uint64_t finished = 0;            // outcomes recorded
    std::uint64_t storing_now = 0;         // gauges
    std::uint64_t queued_now = 0;
    std::uint64_t running_now = 0;
};

class Service final : public RequestHandler {
  public:
    // Opens the store and reads the webhook secret. Throws std::runtime_error
    // (store, secret) or std::invalid_argument (options).
    Service(ServiceOptions options, ServiceDeps deps);
    ~Service() override;
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    // Queues every unfinished and replay-marked event of the store, starts
    // the writer thread and the first resolutions. Returns the number of
    // events resumed. REQUIRES: called once, before handle().
    std::size_t start();

    // Routes: POST /webhook, GET /events/{correlation id}, GET /metrics,
    // GET /healthz (docs/service.md "HTTP API").
    void handle(HttpRequest request, Respond respond) override;

    // New webhooks get 503; resolutions in flight get stop_grace to finish;
    // queued events stay in the store for the next start. Idempotent.
    void stop();

    ServiceStats stats() const;
    std::string prometheus_text() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conflictlab::service
