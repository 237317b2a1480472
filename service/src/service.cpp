// Service: intake, group commit, per-resource scheduling and outcomes. See
// service.hpp for the theory of operation. Locking: `mutex` guards the
// scheduler, the writer's queues and the running set; nothing slow (SQLite,
// the resolver, sinks, respond callbacks) runs while holding it.
#include "conflictlab/service/service.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <iostream>
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
#include "conflictlab/service/resource_scheduler.hpp"
#include "conflictlab/service/webhook_admission.hpp"
#include "flush_sinks.hpp"

namespace conflictlab::service {

using nlohmann::json;

namespace {

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void validate(const ServiceOptions& o) {
    auto fail = [](const std::string& m) { throw std::invalid_argument(m); };
    if (o.queue_capacity < 1)
        fail("queue_capacity: must be at least 1");
    if (o.active_resources_max < 1)
        fail("active_resources_max: must be at least 1");
    if (o.store_batch_max < 1)
        fail("store_batch_max: must be at least 1");
    if (o.replay_poll.count() < 1)
        fail("replay_poll: must be a positive number of milliseconds");
    if (o.retry_after.count() < 0)
        fail("retry_after: must not be negative");
    if (o.signature_header.empty())
        fail("signature_header: must not be empty");
}

void line_to_stderr(std::string_view line) {
    std::cerr << line << std::endl;
}

}  // namespace

struct Service::Impl {
    ServiceOptions options;
    ServiceDeps deps;
    std::string secret;  // empty: not checked; loaded before the store opens
    EventStore store;

    struct PendingInsert {
        NewEvent event;
        Respond respond;
    };
    struct PendingFinish {
        FinishedEvent row;
        std::string resource_id;
        std::string correlation_id;
    };

    mutable std::mutex mutex;
    std::condition_variable writer_wake;
    ResourceScheduler scheduler;
    std::deque<PendingInsert> inserts;            // waiting for the writer
    std::deque<PendingFinish> finishes;           // waiting for the writer
    std::unordered_set<std::string> running_ids;  // correlation ids in flight
    std::size_t storing = 0;                      // reserved intake slots not yet committed
    bool writer_stop = false;
    bool started = false;
    engine::Xoshiro256 ids;
    std::thread writer;
    std::atomic<bool> stopping{false};
    std::atomic<bool> stopped{false};

    struct Counters {
        std::atomic<std::uint64_t> webhooks{0}, accepted{0}, duplicates{0}, ignored{0},
            rejected_signature{0}, rejected_invalid{0}, throttled{0}, store_errors{0}, commits{0},
            resumed{0}, replayed{0}, finished{0};
        std::atomic<std::uint64_t> by_kind[4] = {};
    } counters;

    Impl(ServiceOptions o, ServiceDeps d)
        : options((validate(o), std::move(o))),
          deps(std::move(d)),
          // A secret that cannot be loaded must fail before the store file
          // is created: bad input leaves nothing behind.
          secret(options.webhook_secret.empty() ? std::string()
                                                : load_secret(options.webhook_secret)),
          store(options.store),
          scheduler(options.active_resources_max),
          ids(deps.seed != 0
                  ? deps.seed
                  : (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {
        if (!deps.resolver)
            throw std::invalid_argument("deps.resolver: required");
        if (!deps.wall_clock)
            deps.wall_clock = [] { return std::chrono::system_clock::now(); };
        if (!deps.log_line)
            deps.log_line = line_to_stderr;
    }

    void log(json line) {
        line["ts"] = format_rfc3339(deps.wall_clock());
        deps.log_line(dump(line));
    }

    std::string new_correlation_id() {
        // Caller holds `mutex`. 128 random bits: unguessable, never reused.
        static constexpr char kHex[] = "0123456789abcdef";
        std::string id = "c-";
        for (int w = 0; w < 2; ++w) {
            std::uint64_t v = ids.next();
            for (int i = 0; i < 16; ++i, v >>= 4)
                id += kHex[v & 0xf];
        }
        return id;
    }

    // ---- start / recovery -------------------------------------------------

    std::size_t start() {
        std::vector<EventRecord> open = store.unfinished();
        std::vector<EventRecord> replays = store.claim_replays(SIZE_MAX);
        std::size_t resumed = open.size();
        {
            std::lock_guard lock(mutex);
            if (started)
                throw std::logic_error("Service::start called twice");
            started = true;
            // Only the first unfinished event of a resource can have reached
            // the target (the next one starts after this one's outcome is
            // committed): it alone needs the verify step.
            std::unordered_set<std::string> seen;
            for (auto& r : open) {
                const bool first = seen.insert(r.resource_id).second;
                scheduler.push(job_from(std::move(r), first));
            }
            for (auto& r : replays)
                scheduler.push(job_from(std::move(r), true));
        }
        counters.resumed += resumed;
        counters.replayed += replays.size();
        if (resumed > 0 || !replays.empty())
            log({{"event", "resume"}, {"unfinished", resumed}, {"replays", replays.size()}});
        writer = std::thread([this] { writer_loop(); });
        dispatch();
        return resumed;
    }

    static Job job_from(EventRecord r, bool verify_first) {
        Job j;
        j.seq = r.seq;
        j.correlation_id = std::move(r.correlation_id);
        j.resource_id = std::move(r.resource_id);
        j.document = std::move(r.document);
        j.verify_first = verify_first;
        return j;
    }

    // ---- HTTP routes ------------------------------------------------------

    void handle(HttpRequest request, Respond respond) {
        route_service_request(std::move(request), respond, endpoints);
    }

    const ServiceEndpoints endpoints{
        [this](HttpRequest r, Respond respond) { webhook(std::move(r), std::move(respond)); },
        [this](std::string_view id) { return event_status(id); },
        [this] { return prometheus_text(); },
        [this] { return stopping.load(); },
    };

    void webhook(HttpRequest request, Respond respond) {
        ++counters.webhooks;
        if (stopping.load()) {
            auto r = problem_response(503, "stopping", "Service Unavailable",
                                      "the service is stopping; retry later");
            r.headers.set("Retry-After", std::to_string(options.retry_after.count()));
            return respond(std::move(r));
        }
        AdmissionResult admission =
            admit_webhook(request, secret, options.signature_header, options.trigger);
        switch (admission.result) {
            case Admission::admitted:
                break;
            case Admission::bad_signature:
                ++counters.rejected_signature;
                return respond(std::move(admission.response));
            case Admission::invalid:
                ++counters.rejected_invalid;
                return respond(std::move(admission.response));
            case Admission::ignored:
                ++counters.ignored;
                return respond(std::move(admission.response));
        }
        WebhookEvent& event = admission.event;

        PendingInsert pending;
        {
            std::lock_guard lock(mutex);
            const std::size_t load = storing + scheduler.queued() + scheduler.running();
            if (load >= options.queue_capacity) {
                ++counters.throttled;
                auto r = problem_response(
                    429, "intake-full", "Too Many Requests",
                    "the intake queue holds " + std::to_string(load) + " events (capacity " +
                        std::to_string(options.queue_capacity) + "); retry later");
                r.headers.set("Retry-After", std::to_string(options.retry_after.count()));
                return respond(std::move(r));
            }
            ++storing;
            pending.event.correlation_id = new_correlation_id();
        }
        pending.event.event_id = event.event_id;
        pending.event.resource_id = event.resource_id;
        pending.event.document = std::move(event.document);
        pending.event.received_at = deps.wall_clock();
        pending.respond = std::move(respond);
        {
            std::lock_guard lock(mutex);
            if (!writer_stop) {
                inserts.push_back(std::move(pending));
                writer_wake.notify_one();
                return;
            }
            --storing;
        }
        // Reached only when stop() overtook this request.
        auto r = problem_response(503, "stopping", "Service Unavailable",
                                  "the service is stopping; retry later");
        r.headers.set("Retry-After", std::to_string(options.retry_after.count()));
        pending.respond(std::move(r));
    }

    HttpResponse event_status(std::string_view correlation_id) {
        // Whether it runs is read before the row: a resolution that finishes
        // in between has committed its outcome before it left running_ids
        // (commit()), so the row then says done. Read the other way round,
        // a finished event could show as "queued" for a moment.
        bool running = false;
        {
            std::lock_guard lock(mutex);
            running = running_ids.contains(std::string(correlation_id));
        }
        std::optional<EventRecord> r;
        try {
            r = store.find(correlation_id);
        } catch (const std::exception& e) {
            ++counters.store_errors;
            return problem_response(503, "store-error", "Service Unavailable", e.what());
        }
        if (!r) {
            return problem_response(404, "unknown-event", "Not Found",
                                    "no event with correlation id \"" +
                                        std::string(correlation_id.substr(0, 80)) + "\"");
        }
        std::string state = r->state;
        if (state == "done") {
            state = r->outcome_kind.value_or("done");
        } else if (state == "replay") {
            state = "replay-requested";
        } else if (running) {
            state = "running";
        }
        json body = {{"correlation_id", r->correlation_id},
                     {"event_id", r->event_id},
                     {"resource_id", r->resource_id},
                     {"state", state},
                     {"received_at", r->received_at},
                     {"finished_at", r->finished_at ? json(*r->finished_at) : json(nullptr)},
                     {"replays", r->replays},
                     {"event", r->document},
                     {"outcome", r->outcome}};
        return json_response(200, dump(body));
    }

    // ---- processing -------------------------------------------------------

    // Starts every job the scheduler allows now.
    void dispatch() {
        std::vector<Job> jobs;
        {
            std::lock_guard lock(mutex);
            if (stopping.load())
                return;
            while (auto job = scheduler.next()) {
                running_ids.insert(job->correlation_id);
                jobs.push_back(std::move(*job));
            }
        }
        for (auto& job : jobs)
            start_job(std::move(job));
    }

    void start_job(Job job) {
        engine::Update update;
        try {
            update =
                to_update(event_from_json(job.document), job.correlation_id, options.writer_id);
            if (job.verify_first)
                update.base_token = std::string(kVerifyToken);
            const std::int64_t seq = job.seq;
            std::string resource = job.resource_id;
            deps.resolver->resolve(std::move(update),
                                   [this, seq, resource](engine::Outcome outcome) {
                                       on_done(seq, resource, std::move(outcome));
                                   });
        } catch (const std::exception& e) {
            // The engine refused the update before sending anything.
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
            on_done(job.seq, job.resource_id, std::move(o));
        }
    }

    void on_done(std::int64_t seq, const std::string& resource, engine::Outcome outcome) {
        // Publication first: none of these waits for slow I/O.
        if (deps.transaction_log)
            deps.transaction_log->record(outcome);
        if (deps.monitor)
            deps.monitor->record(outcome);
        if (deps.alerts && outcome.alert)
            deps.alerts->record(outcome);
        const auto kind = static_cast<std::size_t>(outcome.kind);
        if (kind < 4)
            ++counters.by_kind[kind];
        PendingFinish f;
        f.row.seq = seq;
        f.row.kind = outcome.kind;
        f.row.outcome = engine::to_json(outcome);
        f.row.finished_at = deps.wall_clock();
        f.resource_id = resource;
        f.correlation_id = outcome.correlation_id;
        {
            std::lock_guard lock(mutex);
            finishes.push_back(std::move(f));
        }
        writer_wake.notify_one();
    }

    // ---- the store writer (group commit) ------------------------------------

    void writer_loop() {
        auto next_poll = std::chrono::steady_clock::now() + options.replay_poll;
        for (;;) {
            std::vector<PendingInsert> batch_in;
            std::vector<PendingFinish> batch_fin;
            bool poll = false;
            {
                std::unique_lock lock(mutex);
                writer_wake.wait_until(lock, next_poll, [&] {
                    return writer_stop || !inserts.empty() || !finishes.empty();
                });
                if (writer_stop && inserts.empty() && finishes.empty())
                    return;
                while (!finishes.empty() && batch_fin.size() < options.store_batch_max) {
                    batch_fin.push_back(std::move(finishes.front()));
                    finishes.pop_front();
                }
                while (!inserts.empty() && batch_in.size() < options.store_batch_max) {
                    batch_in.push_back(std::move(inserts.front()));
                    inserts.pop_front();
                }
                if (std::chrono::steady_clock::now() >= next_poll && !writer_stop) {
                    poll = true;
                    next_poll = std::chrono::steady_clock::now() + options.replay_poll;
                }
            }
            if (!batch_in.empty() || !batch_fin.empty())
                commit(batch_in, batch_fin);
            if (poll)
                poll_replays();
            dispatch();
        }
    }

    void commit(std::vector<PendingInsert>& batch_in, std::vector<PendingFinish>& batch_fin) {
        std::vector<NewEvent> rows_in;
        rows_in.reserve(batch_in.size());
        for (const auto& p : batch_in)
            rows_in.push_back(p.event);
        std::vector<FinishedEvent> rows_fin;
        rows_fin.reserve(batch_fin.size());
        for (const auto& f : batch_fin)
            rows_fin.push_back(f.row);

        std::vector<InsertResult> results;
        std::string error;
        try {
            results = store.write(rows_in, rows_fin);
            ++counters.commits;
        } catch (const std::exception& e) {
            error = e.what();
        }
        if (!error.empty() && !rows_fin.empty() && !rows_in.empty()) {
            // Keep the outcomes apart from a batch of inserts that failed
            // (e.g. one bad row): try the outcomes alone.
            try {
                store.finish(rows_fin);
                ++counters.commits;
            } catch (const std::exception&) {
            }
        }
        if (!error.empty()) {
            ++counters.store_errors;
            log({{"event", "store-error"}, {"error", error}});
        }

        std::vector<std::pair<Respond, HttpResponse>> answers;
        {
            std::lock_guard lock(mutex);
            // Outcomes: the resource may run its next event now. Even when the
            // commit failed: the row stays queued and a restart re-verifies it.
            for (const auto& f : batch_fin) {
                running_ids.erase(f.correlation_id);
                scheduler.complete(f.resource_id);
                ++counters.finished;
            }
            for (std::size_t i = 0; i < batch_in.size(); ++i) {
                --storing;
                auto& p = batch_in[i];
                if (!error.empty()) {
                    auto r = problem_response(503, "store-error", "Service Unavailable",
                                              "the event could not be stored; retry later");
                    r.headers.set("Retry-After", std::to_string(options.retry_after.count()));
                    answers.emplace_back(std::move(p.respond), std::move(r));
                    continue;
                }
                const InsertResult& res = results[i];
                json body = {{"correlation_id", res.correlation_id},
                             {"event_id", p.event.event_id},
                             {"status_url", "/events/" + res.correlation_id}};
                if (res.inserted) {
                    Job job;
                    job.seq = res.seq;
                    job.correlation_id = res.correlation_id;
                    job.resource_id = p.event.resource_id;
                    job.document = std::move(p.event.document);
                    scheduler.push(std::move(job));
                    ++counters.accepted;
                    body["state"] = "queued";
                    body["duplicate"] = false;
                    HttpResponse r = json_response(202, dump(body));
                    r.headers.set("Location", "/events/" + res.correlation_id);
                    answers.emplace_back(std::move(p.respond), std::move(r));
                } else {
                    ++counters.duplicates;
                    body["state"] = res.state;
                    body["duplicate"] = true;
                    HttpResponse r = json_response(200, dump(body));
                    r.headers.set("Location", "/events/" + res.correlation_id);
                    answers.emplace_back(std::move(p.respond), std::move(r));
                }
            }
        }
        // Answered only now: a 202 means committed.
        for (auto& [respond, response] : answers)
            respond(std::move(response));
    }

    void poll_replays() {
        std::size_t room = 0;
        {
            std::lock_guard lock(mutex);
            const std::size_t load = storing + scheduler.queued() + scheduler.running();
            room = load >= options.queue_capacity ? 0 : options.queue_capacity - load;
        }
        if (room == 0)
            return;
        std::vector<EventRecord> claimed;
        try {
            claimed = store.claim_replays(std::min(room, options.store_batch_max));
        } catch (const std::exception& e) {
            ++counters.store_errors;
            log({{"event", "store-error"}, {"error", e.what()}});
            return;
        }
        if (claimed.empty())
            return;
        {
            std::lock_guard lock(mutex);
            for (auto& r : claimed)
                scheduler.push(job_from(std::move(r), true));
        }
        counters.replayed += claimed.size();
        log({{"event", "replay"}, {"events", claimed.size()}});
    }

    // ---- stop ---------------------------------------------------------------

    void stop() {
        if (stopped.exchange(true))
            return;
        stopping.store(true);
        bool was_started = false;
        {
            std::lock_guard lock(mutex);
            was_started = started;
        }
        const bool idle = deps.resolver->wait_idle(options.stop_grace);
        {
            std::lock_guard lock(mutex);
            writer_stop = true;
        }
        writer_wake.notify_all();
        if (was_started && writer.joinable())
            writer.join();
        detail::flush_sinks(deps, [this](json line) { log(std::move(line)); });
        std::size_t left = 0;
        {
            std::lock_guard lock(mutex);
            left = scheduler.queued() + scheduler.running();
        }
        log({{"event", "stopped"}, {"in_flight_finished", idle}, {"left_for_next_start", left}});
    }

    ServiceStats stats() const {
        ServiceStats s;
        s.webhooks = counters.webhooks;
        s.accepted = counters.accepted;
        s.duplicates = counters.duplicates;
        s.ignored = counters.ignored;
        s.rejected_signature = counters.rejected_signature;
        s.rejected_invalid = counters.rejected_invalid;
        s.throttled = counters.throttled;
        s.store_errors = counters.store_errors;
        s.commits = counters.commits;
        s.resumed = counters.resumed;
        s.replayed = counters.replayed;
        s.finished = counters.finished;
        std::lock_guard lock(mutex);
        s.storing_now = storing;
        s.queued_now = scheduler.queued();
        s.running_now = scheduler.running();
        return s;
    }

    std::string prometheus_text() const {
        const ServiceStats s = stats();
        std::ostringstream out;
        auto counter = [&](const char* name, const char* help) {
            out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
        };
        auto gauge = [&](const char* name, const char* help) {
            out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n";
        };
        counter("conflictlab_service_webhooks_total", "POST /webhook requests by result.");
        out << "conflictlab_service_webhooks_total{result=\"accepted\"} " << s.accepted << "\n"
            << "conflictlab_service_webhooks_total{result=\"duplicate\"} " << s.duplicates << "\n"
            << "conflictlab_service_webhooks_total{result=\"ignored\"} " << s.ignored << "\n"
            << "conflictlab_service_webhooks_total{result=\"bad-signature\"} "
            << s.rejected_signature << "\n"
            << "conflictlab_service_webhooks_total{result=\"invalid\"} " << s.rejected_invalid
            << "\n"
            << "conflictlab_service_webhooks_total{result=\"throttled\"} " << s.throttled << "\n";
        gauge("conflictlab_service_events", "Events accepted and not finished, by state.");
        out << "conflictlab_service_events{state=\"storing\"} " << s.storing_now << "\n"
            << "conflictlab_service_events{state=\"queued\"} " << s.queued_now << "\n"
            << "conflictlab_service_events{state=\"running\"} " << s.running_now << "\n";
        gauge("conflictlab_service_queue_capacity", "Intake bound (429 beyond).");
        out << "conflictlab_service_queue_capacity " << options.queue_capacity << "\n";
        counter("conflictlab_service_outcomes_total", "Finished events by outcome kind.");
        static constexpr const char* kKinds[] = {"success", "resolved", "discarded", "failed"};
        for (std::size_t i = 0; i < 4; ++i) {
            out << "conflictlab_service_outcomes_total{kind=\"" << kKinds[i] << "\"} "
                << counters.by_kind[i].load() << "\n";
        }
        counter("conflictlab_service_resumed_total", "Unfinished events resumed at start.");
        out << "conflictlab_service_resumed_total " << s.resumed << "\n";
        counter("conflictlab_service_replayed_total", "Failed events picked up for replay.");
        out << "conflictlab_service_replayed_total " << s.replayed << "\n";
        counter("conflictlab_service_store_commits_total", "Event store transactions.");
        out << "conflictlab_service_store_commits_total " << s.commits << "\n";
        counter("conflictlab_service_store_errors_total", "Failed event store transactions.");
        out << "conflictlab_service_store_errors_total " << s.store_errors << "\n";
        if (deps.alerts) {
            const auto a = deps.alerts->stats();
            counter("conflictlab_service_alerts_total", "Alert cards by delivery result.");
            out << "conflictlab_service_alerts_total{result=\"sent\"} " << a.sent << "\n"
                << "conflictlab_service_alerts_total{result=\"failed\"} " << a.failed << "\n"
                << "conflictlab_service_alerts_total{result=\"suppressed\"} " << a.suppressed
                << "\n"
                << "conflictlab_service_alerts_total{result=\"dropped\"} " << a.dropped << "\n";
        }
        out << deps.resolver->prometheus_text();
        if (deps.monitor)
            out << deps.monitor->prometheus_text();
        return out.str();
    }
};

Service::Service(ServiceOptions options, ServiceDeps deps)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(deps))) {}

Service::~Service() {
    impl_->stop();
    // The resolver goes first: no callback may reach a half-destroyed service.
    impl_->deps.resolver.reset();
}

std::size_t Service::start() {
    return impl_->start();
}

void Service::handle(HttpRequest request, Respond respond) {
    impl_->handle(std::move(request), std::move(respond));
}

void Service::stop() {
    impl_->stop();
}

ServiceStats Service::stats() const {
    return impl_->stats();
}

std::string Service::prometheus_text() const {
    return impl_->prometheus_text();
}

}  // namespace conflictlab::service
