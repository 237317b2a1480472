// QueuedService: see queued_service.hpp for the theory of operation.
// Locking: `mutex` guards the scheduler, the job table, the partition
// tokens, the per-partition counts and the commit queue; no store call, no
// resolver call and no respond callback runs while holding it. The
// LeaseKeeper belongs to the consumer thread alone (and to stop(), after
// that thread is joined).
#include "conflictlab/service/queued_service.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/common/secrets.hpp"
#include "conflictlab/engine/random.hpp"
#include "conflictlab/service/event.hpp"
#include "conflictlab/service/partitioner.hpp"
#include "conflictlab/service/resource_scheduler.hpp"
#include "conflictlab/service/webhook_admission.hpp"
#include "flush_sinks.hpp"

namespace conflictlab::service {

using nlohmann::json;

namespace {

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse unavailable(std::string_view slug, const std::string& detail,
                         std::chrono::seconds retry_after) {
    auto r = problem_response(503, slug, "Service Unavailable", detail);
    r.headers.set("Retry-After", std::to_string(retry_after.count()));
    return r;
}

void validate(const QueuedServiceOptions& o) {
    auto fail = [](const std::string& m) { throw std::invalid_argument(m); };
    if (o.service.queue_capacity < 1)
        fail("queue_capacity: must be at least 1");
    if (o.service.store_batch_max < 1)
        fail("store_batch_max: must be at least 1");
    if (o.tick.count() < 1)
        fail("tick: must be a positive number of milliseconds");
    if (o.tick * 3 > o.leases.lease_ttl)
        fail("tick: must be at most a third of lease_ttl (a lease is renewed 3 times per ttl)");
    if (o.read_poll.count() < 1)
        fail("read_poll: must be a positive number of milliseconds");
    if (o.read_batch_max < 1)
        fail("read_batch_max: must be at least 1");
    if (o.commit_retry.count() < 1)
        fail("commit_retry: must be a positive number of milliseconds");
}

// Upper bound of entries taken over from one partition's pending lists at
// acquisition: far above what an owner can hold (its queue_capacity).
constexpr std::size_t kClaimMax = 10'000'000;

}  // namespace

struct QueuedService::Impl {
    QueuedServiceOptions options;
    std::shared_ptr<QueueStore> store;
    ServiceDeps deps;
    std::function<std::chrono::steady_clock::time_point()> now;
    std::string secret;
    std::string instance;
    std::uint32_t partitions;
    LeaseKeeper keeper;  // consumer thread only

    // A delivered entry, by job seq (local, never reused).
    struct Meta {
        std::uint32_t partition = 0;
        std::uint64_t token = 0;
        std::string entry_id;
    };
    struct PendingCommit {
        std::int64_t seq = 0;
        std::string resource_id;
        QueueCommit commit;
    };

    mutable std::mutex mutex;
    std::condition_variable consumer_wake;
    std::condition_variable committer_wake;
    ResourceScheduler scheduler;
    std::unordered_map<std::int64_t, Meta> jobs;
    std::int64_t next_seq = 1;
    std::map<std::uint32_t, std::uint64_t> tokens;  // held partitions (draining included)
    std::vector<std::size_t> outstanding;           // per partition: delivered, not completed
    std::deque<PendingCommit> commits;
    std::size_t members = 0;
    // Start of the last tick that renewed every lease; a lease is trusted
    // locally until lease_ttl * 9/10 after it (the store's expiry is at least
    // lease_ttl after the renewal was sent).
    std::chrono::steady_clock::time_point last_tick_ok{};
    bool stop_threads = false;  // the consumer stops
    bool stop_commits = false;  // the committer stops once its queue is empty
    bool started = false;
    engine::Xoshiro256 ids;
    std::thread consumer, committer;
    std::atomic<bool> stopping{false};
    std::atomic<bool> stopped{false};

    struct Counters {
        std::atomic<std::uint64_t> accepted{0}, duplicates{0}, ignored{0}, rejected_signature{0},
            rejected_invalid{0}, throttled{0}, committed{0}, fenced{0}, skipped{0}, redelivered{0},
            store_errors{0}, webhooks{0};
        std::atomic<std::uint64_t> by_kind[4] = {};
    };
    mutable Counters counters;  // prometheus_text() counts store errors too

    Impl(QueuedServiceOptions o, QueuedServiceDeps d)
        : options((validate(o), std::move(o))),
          store(d.store),
          deps(std::move(d.service)),
          now(d.steady_clock ? std::move(d.steady_clock)
                             : [] { return std::chrono::steady_clock::now(); }),
          instance(options.leases.instance),
          partitions(options.leases.partitions),
          keeper(*(store ? store : throw std::invalid_argument("deps.store: required")),
                 options.leases),
          scheduler(options.service.active_resources_max),
          outstanding(options.leases.partitions, 0),
          ids(deps.seed != 0
                  ? deps.seed
                  : (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {
        if (!deps.resolver)
            throw std::invalid_argument("deps.resolver: required");
        if (!deps.wall_clock)
            deps.wall_clock = [] { return std::chrono::system_clock::now(); };
        if (!deps.log_line)
            deps.log_line = [](std::string_view line) { std::cerr << line << std::endl; };
        if (!options.service.webhook_secret.empty())
            secret = load_secret(options.service.webhook_secret);
        const std::uint32_t stored = store->register_partitions(partitions);
        if (stored != partitions) {
            throw std::runtime_error("partitions: the queue was created with " +
                                     std::to_string(stored) + " partitions, this instance has " +
                                     std::to_string(partitions) +
                                     "; every instance must use the same --partitions");
        }
    }

    void log(json line) {
        line["ts"] = format_rfc3339(deps.wall_clock());
        line["instance"] = instance;
        deps.log_line(dump(line));
    }

    std::string new_correlation_id() {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string id = "c-";
        std::lock_guard lock(mutex);
        for (int w = 0; w < 2; ++w) {
            std::uint64_t v = ids.next();
            for (int i = 0; i < 16; ++i, v >>= 4)
                id += kHex[v & 0xf];
        }
        return id;
    }

    // ---- start / stop -------------------------------------------------------

    void start() {
        {
            std::lock_guard lock(mutex);
            if (started)
                throw std::logic_error("QueuedService::start called twice");
            started = true;
        }
        tick();  // join the live set before serving (errors reach the caller)
        consumer = std::thread([this] { consumer_loop(); });
        committer = std::thread([this] { committer_loop(); });
    }

    void stop() {
        if (stopped.exchange(true))
            return;
        stopping.store(true);
        bool was_started = false;
        {
            std::lock_guard lock(mutex);
            was_started = started;
            stop_threads = true;  // the consumer stops reading and ticking
        }
        consumer_wake.notify_all();
        if (was_started && consumer.joinable())
            consumer.join();
        const bool idle = deps.resolver->wait_idle(options.service.stop_grace);
        // The committer drains what is finished (bounded: it gives up retrying
        // once stopping and stop_grace has passed).
        {
            std::lock_guard lock(mutex);
            stop_commits = true;
        }
        committer_wake.notify_all();
        if (was_started && committer.joinable())
            committer.join();
        detail::flush_sinks(deps, [this](json line) { log(std::move(line)); });
        if (was_started) {
            try {
                keeper.leave();  // the next owner need not wait for expiry
            } catch (const std::exception& e) {
                log({{"event", "queue-error"}, {"during", "leave"}, {"error", e.what()}});
            }
        }
        std::size_t left = 0;
        {
            std::lock_guard lock(mutex);
            left = scheduler.queued() + scheduler.running();
        }
        log({{"event", "stopped"}, {"in_flight_finished", idle}, {"left_for_next_owner", left}});
    }

    // ---- ownership ------------------------------------------------------------

    void tick() {
        const auto tick_start = now();
        const LeaseChanges c = keeper.tick(tick_start, [this](auto p) {
            std::lock_guard lock(mutex);
            return outstanding[p];
        });
        {
            std::lock_guard lock(mutex);
            last_tick_ok = tick_start;
            // Lost first: a partition lost and re-acquired in one tick keeps
            // its new token.
            for (const auto p : c.lost)
                tokens.erase(p);
            for (const auto p : c.released)
                tokens.erase(p);
            for (const auto& [p, token] : c.acquired)
                tokens[p] = token;
            members = keeper.members().size();
        }
        if (!c.acquired.empty() || !c.lost.empty() || !c.released.empty() || !c.draining.empty()) {
            json acquired = json::array();
            for (const auto& [p, token] : c.acquired)
                acquired.push_back({{"partition", p}, {"token", token}});
            log({{"event", "partitions"},
                 {"acquired", acquired},
                 {"lost", c.lost},
                 {"draining", c.draining},
                 {"released", c.released},
                 {"members", keeper.members()}});
        }
        for (const auto& [p, token] : c.acquired) {
            std::vector<QueuedEvent> claimed = store->claim_pending(p, instance, kClaimMax);
            if (claimed.empty())
                continue;
            counters.redelivered += claimed.size();
            log({{"event", "takeover"}, {"partition", p}, {"pending_entries", claimed.size()}});
            push(std::move(claimed), token);
        }
    }

    // Queues delivered entries under `token`. Entries taken over from a
    // pending list: the first of each resource may already have been applied
    // (its owner runs one event per resource at a time and acknowledges only
    // after the outcome), so it alone starts with the verify step.
    void push(std::vector<QueuedEvent> events, std::uint64_t token) {
        std::unordered_set<std::string> verified;
        std::lock_guard lock(mutex);
        for (auto& e : events) {
            Job job;
            job.seq = next_seq++;
            job.correlation_id = std::move(e.correlation_id);
            job.resource_id = e.resource_id;
            job.document = std::move(e.document);
            job.verify_first = e.redelivered && verified.insert(e.resource_id).second;
            jobs[job.seq] = Meta{e.partition, token, std::move(e.entry_id)};
            ++outstanding[e.partition];
            scheduler.push(std::move(job));
        }
    }

    void consumer_loop() {
        auto next_tick = now() + options.tick;
        std::chrono::steady_clock::time_point next_error_log{};
        for (;;) {
            {
                std::lock_guard lock(mutex);
                if (stop_threads)
                    return;
            }
            std::size_t got = 0;
            try {
                if (now() >= next_tick) {
                    next_tick = now() + options.tick;
                    tick();
                }
                std::size_t room = 0;
                {
                    std::lock_guard lock(mutex);
                    const std::size_t load = scheduler.queued() + scheduler.running();
                    room = load >= options.service.queue_capacity
                               ? 0
                               : options.service.queue_capacity - load;
                }
                const auto readable = keeper.readable();
                if (room > 0 && !readable.empty()) {
                    std::vector<QueuedEvent> fresh =
                        store->read_new(readable, instance, std::min(room, options.read_batch_max));
                    got = fresh.size();
                    // One read may span partitions: push each under its token.
                    std::map<std::uint32_t, std::vector<QueuedEvent>> by_partition;
                    for (auto& e : fresh)
                        by_partition[e.partition].push_back(std::move(e));
                    for (auto& [p, events] : by_partition) {
                        for (const auto& [rp, token] : readable) {
                            if (rp == p)
                                push(std::move(events), token);
                        }
                    }
                }
            } catch (const std::exception& e) {
                ++counters.store_errors;
                // At most one line per second while the store is down.
                const auto t = std::chrono::steady_clock::now();
                if (t >= next_error_log) {
                    next_error_log = t + std::chrono::seconds(1);
                    log({{"event", "queue-error"}, {"during", "consume"}, {"error", e.what()}});
                }
            }
            dispatch();
            if (got == 0) {
                std::unique_lock lock(mutex);
                consumer_wake.wait_for(lock, options.read_poll, [&] { return stop_threads; });
            }
        }
    }

    // ---- processing -------------------------------------------------------------

    void dispatch() {
        std::vector<std::pair<Job, Meta>> start;
        {
            std::lock_guard lock(mutex);
            if (stopping.load())
                return;
            // No renewal for most of a ttl (this process was paused, or the
            // store is unreachable): the leases may have expired, so start
            // nothing until the next tick has checked them. A write already
            // sent cannot be recalled, but no new one starts.
            if (now() >= last_tick_ok + options.leases.lease_ttl * 9 / 10)
                return;
            while (auto job = scheduler.next()) {
                auto it = jobs.find(job->seq);
                const Meta meta = it->second;
                auto held = tokens.find(meta.partition);
                if (held == tokens.end() || held->second != meta.token) {
                    // Lost (or re-acquired under a newer token, which queued
                    // the entry again): another copy is or will be in charge.
                    jobs.erase(it);
                    --outstanding[meta.partition];
                    scheduler.complete(job->resource_id);
                    ++counters.skipped;
                    continue;
                }
                start.emplace_back(std::move(*job), meta);
            }
        }
        for (auto& [job, meta] : start)
            start_job(std::move(job), meta);
    }

    void start_job(Job job, const Meta& meta) {
        const std::int64_t seq = job.seq;
        std::string resource = job.resource_id;
        try {
            engine::Update update = to_update(event_from_json(job.document), job.correlation_id,
                                              options.service.writer_id);
            if (job.verify_first)
                update.base_token = std::string(kVerifyToken);
            deps.resolver->resolve(std::move(update),
                                   [this, seq, resource, meta](engine::Outcome outcome) {
                                       on_done(seq, resource, meta, std::move(outcome));
                                   });
        } catch (const std::exception& e) {
            engine::Outcome o;
            o.kind = engine::OutcomeKind::failed;
            o.reason = engine::FailureReason::non_retryable_4xx;
            o.path = "rejected";
            o.detail = std::string("the engine rejected the update: ") + e.what();
            o.resource_id = job.resource_id;
            o.correlation_id = job.correlation_id;
            o.alert = true;
            if (job.document.is_object() && job.document.contains("event_id") &&
                job.document["event_id"].is_string()) {
                o.event_id = job.document["event_id"].get<std::string>();
                o.op_id = o.event_id;
            }
            on_done(seq, resource, meta, std::move(o));
        }
    }

    void on_done(std::int64_t seq, const std::string& resource, const Meta& meta,
                 engine::Outcome outcome) {
        if (deps.transaction_log)
            deps.transaction_log->record(outcome);
        if (deps.monitor)
            deps.monitor->record(outcome);
        if (deps.alerts && outcome.alert)
            deps.alerts->record(outcome);
        const auto kind = static_cast<std::size_t>(outcome.kind);
        if (kind < 4)
            ++counters.by_kind[kind];
        PendingCommit c;
        c.seq = seq;
        c.resource_id = resource;
        c.commit.partition = meta.partition;
        c.commit.token = meta.token;
        c.commit.entry_id = meta.entry_id;
        c.commit.correlation_id = outcome.correlation_id;
        c.commit.kind = std::string(engine::outcome_kind_name(outcome.kind));
        c.commit.outcome = engine::to_json(outcome);
        c.commit.finished_at = format_rfc3339(deps.wall_clock());
        {
            std::lock_guard lock(mutex);
            commits.push_back(std::move(c));
        }
        committer_wake.notify_one();
    }

    // ---- commits ------------------------------------------------------------------

    void committer_loop() {
        std::optional<std::chrono::steady_clock::time_point> give_up;
        for (;;) {
            std::vector<PendingCommit> batch;
            {
                std::unique_lock lock(mutex);
                committer_wake.wait(lock, [&] { return !commits.empty() || stop_commits; });
                if (commits.empty())
                    return;  // stopping, nothing left
                while (!commits.empty() && batch.size() < options.service.store_batch_max) {
                    batch.push_back(std::move(commits.front()));
                    commits.pop_front();
                }
            }
            std::vector<bool> ok;
            try {
                // The local log first: XACK only after the outcome is recorded.
                if (deps.transaction_log)
                    deps.transaction_log->flush();
                std::vector<QueueCommit> rows;
                rows.reserve(batch.size());
                for (const auto& c : batch)
                    rows.push_back(c.commit);
                ok = store->commit(instance, rows);
            } catch (const std::exception& e) {
                ++counters.store_errors;
                log({{"event", "queue-error"}, {"during", "commit"}, {"error", e.what()}});
                // Real time: stop_grace is a promise to the operator.
                const auto t = std::chrono::steady_clock::now();
                if (stopping.load() && !give_up)
                    give_up = t + options.service.stop_grace;
                std::unique_lock lock(mutex);
                if (give_up && t >= *give_up) {
                    // Stopping and the store is gone: leave the entries
                    // pending; the next owner redoes them with a verify step.
                    log({{"event", "commit-abandoned"}, {"entries", batch.size()}});
                    commits.clear();
                    return;
                }
                // Put the batch back in front, in order: the resources wait.
                for (auto it = batch.rbegin(); it != batch.rend(); ++it)
                    commits.push_front(std::move(*it));
                committer_wake.wait_for(lock, options.commit_retry);
                continue;
            }
            {
                std::lock_guard lock(mutex);
                for (std::size_t i = 0; i < batch.size(); ++i) {
                    auto it = jobs.find(batch[i].seq);
                    if (it != jobs.end()) {
                        --outstanding[it->second.partition];
                        jobs.erase(it);
                    }
                    scheduler.complete(batch[i].resource_id);
                    if (i < ok.size() && ok[i])
                        ++counters.committed;
                    else
                        ++counters.fenced;
                }
            }
            dispatch();
            consumer_wake.notify_one();
        }
    }

    // ---- HTTP ----------------------------------------------------------------------

    void handle(HttpRequest request, Respond respond) {
        route_service_request(std::move(request), respond, endpoints);
    }

    const ServiceEndpoints endpoints{
        [this](HttpRequest r, Respond respond) { respond(webhook(r)); },
        [this](std::string_view id) { return event_status(id); },
        [this] { return prometheus_text(); },
        [this] { return stopping.load(); },
    };

    HttpResponse webhook(const HttpRequest& request) {
        ++counters.webhooks;
        if (stopping.load()) {
            return unavailable("stopping", "the service is stopping; retry later",
                               options.service.retry_after);
        }
        AdmissionResult a = admit_webhook(request, secret, options.service.signature_header,
                                          options.service.trigger);
        switch (a.result) {
            case Admission::admitted:
                break;
            case Admission::bad_signature:
                ++counters.rejected_signature;
                return std::move(a.response);
            case Admission::invalid:
                ++counters.rejected_invalid;
                return std::move(a.response);
            case Admission::ignored:
                ++counters.ignored;
                return std::move(a.response);
        }
        QueueAppend append;
        append.partition = partition_of(a.event.resource_id, partitions);
        append.event_id = a.event.event_id;
        append.correlation_id = new_correlation_id();
        append.resource_id = a.event.resource_id;
        append.document = std::move(a.event.document);
        append.received_at = format_rfc3339(deps.wall_clock());
        QueueAppendResult res;
        try {
            res = store->append(append);
        } catch (const std::exception& e) {
            ++counters.store_errors;
            log({{"event", "queue-error"}, {"during", "append"}, {"error", e.what()}});
            return unavailable("queue-unavailable", "the event could not be queued; retry later",
                               options.service.retry_after);
        }
        if (res.state == "full") {
            ++counters.throttled;
            auto r = problem_response(429, "intake-full", "Too Many Requests",
                                      "partition " + std::to_string(append.partition) + " holds " +
                                          std::to_string(options.service.queue_capacity) +
                                          " unfinished events (its capacity); retry later");
            r.headers.set("Retry-After", std::to_string(options.service.retry_after.count()));
            return r;
        }
        json body = {{"correlation_id", res.correlation_id},
                     {"event_id", append.event_id},
                     {"status_url", "/events/" + res.correlation_id},
                     {"state", res.state},
                     {"duplicate", !res.inserted},
                     {"partition", append.partition}};
        HttpResponse r = json_response(res.inserted ? 202 : 200, dump(body));
        r.headers.set("Location", "/events/" + res.correlation_id);
        if (res.inserted) {
            ++counters.accepted;
            consumer_wake.notify_one();  // this instance may own the partition
        } else {
            ++counters.duplicates;
        }
        return r;
    }

    HttpResponse event_status(std::string_view correlation_id) {
        std::optional<json> s;
        try {
            s = store->status(correlation_id);
        } catch (const std::exception& e) {
            ++counters.store_errors;
            return unavailable("queue-unavailable", e.what(), options.service.retry_after);
        }
        if (!s) {
            return problem_response(404, "unknown-event", "Not Found",
                                    "no event with correlation id \"" +
                                        std::string(correlation_id.substr(0, 80)) + "\"");
        }
        return json_response(200, dump(*s));
    }

    QueuedServiceStats stats() const {
        QueuedServiceStats s;
        s.accepted = counters.accepted;
        s.duplicates = counters.duplicates;
        s.ignored = counters.ignored;
        s.rejected = counters.rejected_invalid + counters.rejected_signature;
        s.throttled = counters.throttled;
        s.committed = counters.committed;
        s.fenced = counters.fenced;
        s.skipped = counters.skipped;
        s.redelivered = counters.redelivered;
        s.store_errors = counters.store_errors;
        std::lock_guard lock(mutex);
        s.queued_now = scheduler.queued();
        s.running_now = scheduler.running();
        s.partitions_held = tokens.size();
        s.members = members;
        return s;
    }

    std::string prometheus_text() const {
        const QueuedServiceStats s = stats();
        std::ostringstream out;
        auto head = [&](const char* name, const char* type, const char* help) {
            out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
        };
        head("conflictlab_service_webhooks_total", "counter", "POST /webhook requests by result.");
        out << "conflictlab_service_webhooks_total{result=\"accepted\"} " << s.accepted << "\n"
            << "conflictlab_service_webhooks_total{result=\"duplicate\"} " << s.duplicates << "\n"
            << "conflictlab_service_webhooks_total{result=\"ignored\"} " << s.ignored << "\n"
            << "conflictlab_service_webhooks_total{result=\"bad-signature\"} "
            << counters.rejected_signature.load() << "\n"
            << "conflictlab_service_webhooks_total{result=\"invalid\"} "
            << counters.rejected_invalid.load() << "\n"
            << "conflictlab_service_webhooks_total{result=\"throttled\"} " << s.throttled << "\n";
        head("conflictlab_service_events", "gauge",
             "Events delivered to this instance and not finished, by state.");
        out << "conflictlab_service_events{state=\"queued\"} " << s.queued_now << "\n"
            << "conflictlab_service_events{state=\"running\"} " << s.running_now << "\n";
        head("conflictlab_service_outcomes_total", "counter",
             "Events resolved by this instance, by outcome kind.");
        static constexpr const char* kKinds[] = {"success", "resolved", "discarded", "failed"};
        for (std::size_t i = 0; i < 4; ++i) {
            out << "conflictlab_service_outcomes_total{kind=\"" << kKinds[i] << "\"} "
                << counters.by_kind[i].load() << "\n";
        }
        head("conflictlab_queue_commits_total", "counter",
             "Outcome commits: recorded and acknowledged, or fenced (lease lost).");
        out << "conflictlab_queue_commits_total{result=\"committed\"} " << s.committed << "\n"
            << "conflictlab_queue_commits_total{result=\"fenced\"} " << s.fenced << "\n";
        head("conflictlab_queue_skipped_total", "counter",
             "Delivered entries dropped unstarted because their lease was lost.");
        out << "conflictlab_queue_skipped_total " << s.skipped << "\n";
        head("conflictlab_queue_redelivered_total", "counter",
             "Entries taken over from pending lists (XAUTOCLAIM).");
        out << "conflictlab_queue_redelivered_total " << s.redelivered << "\n";
        head("conflictlab_queue_errors_total", "counter", "Queue store calls that failed.");
        out << "conflictlab_queue_errors_total " << s.store_errors << "\n";
        head("conflictlab_queue_partitions_held", "gauge", "Partitions leased by this instance.");
        out << "conflictlab_queue_partitions_held " << s.partitions_held << "\n";
        head("conflictlab_queue_members", "gauge", "Live instances seen at the last heartbeat.");
        out << "conflictlab_queue_members " << s.members << "\n";
        std::vector<PartitionStats> parts;
        try {
            parts = store->stats(partitions);
        } catch (const std::exception&) {
            ++counters.store_errors;
        }
        if (!parts.empty()) {
            head("conflictlab_queue_partition_lag", "gauge",
                 "Events in the partition's stream not yet committed.");
            for (const auto& p : parts)
                out << "conflictlab_queue_partition_lag{partition=\"" << p.partition << "\"} "
                    << p.lag << "\n";
            head("conflictlab_queue_partition_pending", "gauge",
                 "Events delivered to an owner and not yet committed.");
            for (const auto& p : parts)
                out << "conflictlab_queue_partition_pending{partition=\"" << p.partition << "\"} "
                    << p.pending << "\n";
            head("conflictlab_queue_partition_owner", "gauge",
                 "1 for the instance holding the partition's lease.");
            for (const auto& p : parts) {
                if (!p.owner.empty())
                    out << "conflictlab_queue_partition_owner{partition=\"" << p.partition
                        << "\",owner=\"" << p.owner << "\"} 1\n";
            }
        }
        out << deps.resolver->prometheus_text();
        if (deps.monitor)
            out << deps.monitor->prometheus_text();
        return out.str();
    }
};

QueuedService::QueuedService(QueuedServiceOptions options, QueuedServiceDeps deps)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(deps))) {}

QueuedService::~QueuedService() {
    impl_->stop();
    impl_->deps.resolver.reset();
}

void QueuedService::start() {
    impl_->start();
}

void QueuedService::handle(HttpRequest request, Respond respond) {
    impl_->handle(std::move(request), std::move(respond));
}

void QueuedService::stop() {
    impl_->stop();
}

QueuedServiceStats QueuedService::stats() const {
    return impl_->stats();
}

std::string QueuedService::prometheus_text() const {
    return impl_->prometheus_text();
}

}  // namespace conflictlab::service
