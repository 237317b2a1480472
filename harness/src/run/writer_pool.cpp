#include "writer_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <variant>

#include "conflictlab/engine/resolution.hpp"
#include "http_client.hpp"

namespace conflictlab::harness::run_detail {

namespace {

using Clock = std::chrono::steady_clock;

engine::Timestamp now_ts() {
    return std::chrono::duration_cast<engine::Timestamp>(Clock::now().time_since_epoch());
}

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

void compact(engine::Outcome& o) {
    o.final_body.reset();
    o.delta.reset();
    if (o.notes.size() > 3)
        o.notes.resize(3);
    o.statuses.shrink_to_fit();
    o.steps.shrink_to_fit();
}

nlohmann::json alert_card(const OpRecord& op) {
    const engine::Outcome& o = op.outcome;
    nlohmann::json facts = nlohmann::json::array({
        {{"title", "Resource"}, {"value", op.resource_id}},
        {{"title", "Operation"}, {"value", op.op_id}},
        {{"title", "Writer"}, {"value", op.writer_id}},
        {{"title", "Reason"}, {"value", std::string(engine::failure_reason_name(o.reason))}},
        {{"title", "Path"}, {"value", o.path}},
        {{"title", "Attempts"}, {"value", std::to_string(o.attempts)}},
    });
    return {{"type", "message"},
            {"attachments",
             {{{"contentType", "application/vnd.microsoft.card.adaptive"},
               {"content",
                {{"type", "AdaptiveCard"},
                 {"version", "1.4"},
                 {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                 {"body",
                  {{{"type", "TextBlock"},
                    {"text", "Update failed: manual intervention needed"},
                    {"weight", "Bolder"}},
                   {{"type", "TextBlock"}, {"text", o.detail}, {"wrap", true}},
                   {{"type", "FactSet"}, {"facts", facts}}}}}}}}}};
}

struct WriterPool::Impl {
    struct Writer {
        Writer(const WriterPlan& p, const WorkloadModel& model, int loop_index)
            : plan(p),
              state(p, model),
              known(KnownStates::capacity_for(model.spec())),
              loop(loop_index) {}
        WriterPlan plan;
        WriterState state;
        KnownStates known;  // read_before_write "unless-known"

        int loop = 0;
        std::uint64_t ops_done = 0;
        bool finished = false;
        bool at_gate = false;
        OpPlan op;
        std::unique_ptr<engine::RandomSource> random;  // before resolution: it borrows it
        std::unique_ptr<engine::Resolution> resolution;
        OpRecord record;
        int failed_reads = 0;  // of the current op's GET (read_retry_delay)
    };

    Impl(const Scenario& s, const WorkloadModel& m, const std::vector<WriterPlan>& plans, Target& t,
         const WriterPoolOptions& o)
        : scenario(s),
          model(m),
          target(t),
          options(o),
          client(t.http_target(), std::max(1, o.client_threads), std::max(1, o.max_connections)),
          series(3700) {
        const int loops = std::max(1, o.client_threads);
        for (const auto& p : plans) {
            // A pair shares a loop so its barrier is single-threaded.
            const int key = s.workload.simultaneous_pairs ? p.index / 2 : p.index;
            writers.push_back(std::make_unique<Writer>(p, m, key % loops));
        }
        loop_ops.resize(static_cast<std::size_t>(loops));
        gates.assign((plans.size() + 1) / 2, -1);
        if (s.workload.ops_per_writer) {
            const auto per_loop = static_cast<std::size_t>(*s.workload.ops_per_writer) *
                                  plans.size() / static_cast<std::size_t>(loops);
            for (auto& v : loop_ops)
                v.reserve(per_loop + 16);
        }
        for (const auto& g : s.groups) {
            stall_limit = std::max(stall_limit, std::chrono::milliseconds(g.policy.deadline_ms));
        }
        // No op may take longer than its deadline; think time and a margin on top.
        stall_limit +=
            std::chrono::milliseconds(s.workload.think_time_ms) + std::chrono::seconds(30);
    }

    const Scenario& scenario;
    const WorkloadModel& model;
    Target& target;
    WriterPoolOptions options;
    HttpClient client;
    std::vector<std::unique_ptr<Writer>> writers;
    std::vector<std::vector<OpRecord>> loop_ops;  // per loop, touched by that loop only
    std::vector<int> gates;                       // per pair: index of the writer waiting
    TimeSeriesRecorder series;
    Clock::time_point started;
    std::optional<Clock::time_point> deadline;
    std::chrono::milliseconds stall_limit{0};

    std::atomic<std::uint64_t> completed{0}, acknowledged{0}, failed{0}, conflicts{0};
    std::atomic<std::uint64_t> in_flight{0}, max_in_flight{0};
    std::atomic<std::int64_t> last_completion_ns{0};
    std::atomic<std::size_t> remaining{0};
    std::mutex done_mutex;
    std::condition_variable done_cv;

    double since_start_ms() const {
        return std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    }

    void next_op(Writer& w) {
        const auto& spec = scenario.workload;
        if ((spec.ops_per_writer &&
             w.ops_done >= static_cast<std::uint64_t>(*spec.ops_per_writer)) ||
            (deadline && Clock::now() >= *deadline)) {
            writer_done(w);
            return;
        }
        w.op = w.state.next_op();
        w.record = OpRecord{};
        w.record.op_id = w.op.op_id;
        w.record.writer_id = w.plan.id;
        w.record.group = scenario.groups[static_cast<std::size_t>(w.plan.group)].name;
        w.record.resource_id = model.resource_id(w.op.resource);
        w.record.invoked_ms = since_start_ms();
        w.failed_reads = 0;
        if (const KnownState* known = w.known.find(w.op.resource)) {
            begin(w, start_op_from_known(model, w.plan, w.op, *known, wall_ms() + w.plan.skew_ms,
                                         w.record));
            return;
        }
        send_read(w);
    }

    // The op's GET (again after a failed one: read_retry_delay).
    void send_read(Writer& w) {
        ++w.record.reads;
        engine::SendRequest get;
        get.method = "GET";
        get.path = "/resources/" + w.record.resource_id;
        get.purpose = engine::RequestPurpose::fetch;
        get.timeout = std::chrono::milliseconds(model.policy(w.plan.group).attempt_timeout_ms);
        get.headers.add("Accept", "application/json");
        get.headers.add("X-Writer-Id", w.plan.id);
        client.exchange(w.loop, std::move(get),
                        [this, &w](ExchangeResult result) { on_read(w, std::move(result)); });
    }

    void on_read(Writer& w, ExchangeResult result) {
        const engine::Policy& policy = model.policy(w.plan.group);
        const engine::Response* answer = result.response ? &*result.response : nullptr;
        if (!read_is_usable(answer)) {
            ++w.failed_reads;
            if (const auto delay = read_retry_delay(policy, w.failed_reads, w.op.resolution_seed)) {
                client.after(w.loop, *delay, [this, &w] { send_read(w); });
                return;
            }
            // No base token to build on: give up rather than write blind.
            in_flight.fetch_add(1);
            finish(w, give_up_unreadable(
                          model, w.plan, w.op, wall_ms() + w.plan.skew_ms, w.record, w.failed_reads,
                          describe_read_failure(answer, result.error ? &*result.error : nullptr)));
            return;
        }
        begin(w, start_op(model, w.plan, w.op, *answer, wall_ms() + w.plan.skew_ms, w.record));
    }

    // The op's resolution starts (at its pair's gate when paired), or the op
    // ends at once when the harness could not build its update.
    void begin(Writer& w, StartedOp begun) {
        if (begun.failed) {
            in_flight.fetch_add(1);
            finish(w, std::move(*begun.failed));
            return;
        }
        w.random = std::move(begun.random);
        w.resolution = std::move(begun.resolution);
        if (w.plan.partner >= 0) {
            arrive(w);
        } else {
            launch(w);
        }
    }

    // simultaneous_pairs: both writers of a pair send at the same moment.
    void arrive(Writer& w) {
        int& gate = gates[static_cast<std::size_t>(w.plan.index / 2)];
        Writer& partner = *writers[static_cast<std::size_t>(w.plan.partner)];
        if (gate == partner.plan.index) {
            gate = -1;
            partner.at_gate = false;
            launch(partner);
            launch(w);
        } else if (partner.finished) {
            launch(w);
        } else {
            gate = w.plan.index;
            w.at_gate = true;
        }
    }

    void launch(Writer& w) {
        const std::uint64_t now = in_flight.fetch_add(1) + 1;
        std::uint64_t seen = max_in_flight.load();
        while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
        }
        drive(w, [&w] { return w.resolution->start(now_ts()); });
    }

    // Feeds one event to the writer's resolution. A misuse of the engine is
    // a harness bug; it is recorded as the op's failure instead of killing
    // the loop thread (which would stall every writer on it).
    void drive(Writer& w, const std::function<engine::Action()>& step) {
        engine::Action action;
        try {
            action = step();
        } catch (const std::exception& e) {
            engine::Outcome o;
            o.kind = engine::OutcomeKind::failed;
            o.reason = engine::FailureReason::unexpected_status;
            o.detail = std::string("harness error: ") + e.what();
            o.resource_id = w.record.resource_id;
            o.op_id = w.op.op_id;
            o.writer_id = w.plan.id;
            finish(w, std::move(o));
            return;
        }
        act(w, std::move(action));
    }

    void act(Writer& w, engine::Action action) {
        if (auto* send = std::get_if<engine::SendRequest>(&action)) {
            client.exchange(w.loop, std::move(*send), [this, &w](ExchangeResult result) {
                if (result.response) {
                    drive(w, [&w, &result] {
                        return w.resolution->on_response(*result.response, now_ts());
                    });
                } else {
                    drive(w, [&w, &result] {
                        return w.resolution->on_transport_error(*result.error, now_ts());
                    });
                }
            });
        } else if (auto* sleep = std::get_if<engine::Sleep>(&action)) {
            client.after(w.loop, sleep->delay, [this, &w] {
                drive(w, [&w] { return w.resolution->on_timer(now_ts()); });
            });
        } else {
            finish(w, std::move(std::get<engine::Done>(action).outcome));
        }
    }

    void finish(Writer& w, engine::Outcome outcome) {
        w.known.after_op(w.op.resource, outcome);
        compact(outcome);
        w.record.outcome = std::move(outcome);
        w.record.completed_ms = since_start_ms();
        const auto& o = w.record.outcome;
        const bool ack =
            o.kind == engine::OutcomeKind::success || o.kind == engine::OutcomeKind::resolved;
        const bool is_failed = o.kind == engine::OutcomeKind::failed;
        completed.fetch_add(1, std::memory_order_relaxed);
        if (ack)
            acknowledged.fetch_add(1, std::memory_order_relaxed);
        if (is_failed)
            failed.fetch_add(1, std::memory_order_relaxed);
        conflicts.fetch_add(static_cast<std::uint64_t>(std::max(0, o.conflicts)),
                            std::memory_order_relaxed);
        series.record(w.record.completed_ms / 1000.0, ack, is_failed, o.conflicts);
        last_completion_ns.store(now_ts().count(), std::memory_order_relaxed);
        if (o.alert)
            target.deliver_alert(alert_card(w.record));
        loop_ops[static_cast<std::size_t>(w.loop)].push_back(std::move(w.record));
        ++w.ops_done;
        w.resolution.reset();
        w.random.reset();
        in_flight.fetch_sub(1);
        const auto think = scenario.workload.think_time_ms;
        if (think > 0) {
            client.after(w.loop, std::chrono::milliseconds(think), [this, &w] { next_op(w); });
        } else {
            // Posted, not called: keeps the stack flat across many ops.
            client.post(w.loop, [this, &w] { next_op(w); });
        }
    }

    void writer_done(Writer& w) {
        if (w.finished)
            return;
        w.finished = true;
        if (w.plan.partner >= 0) {
            int& gate = gates[static_cast<std::size_t>(w.plan.index / 2)];
            if (gate == w.plan.partner) {
                gate = -1;
                Writer& partner = *writers[static_cast<std::size_t>(w.plan.partner)];
                partner.at_gate = false;
                launch(partner);
            }
        }
        if (remaining.fetch_sub(1) == 1) {
            std::lock_guard lock(done_mutex);
            done_cv.notify_all();
        }
    }

    ProgressSample sample() const {
        ProgressSample s;
        s.elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();
        s.completed = completed.load();
        if (scenario.workload.ops_per_writer) {
            s.planned =
                static_cast<std::uint64_t>(*scenario.workload.ops_per_writer) * writers.size();
        }
        s.duration_s = scenario.workload.duration_s.value_or(0.0);
        s.acknowledged = acknowledged.load();
        s.failed = failed.load();
        s.conflicts = conflicts.load();
        s.in_flight = in_flight.load();
        return s;
    }

    WriterPoolResult run() {
        WriterPoolResult out;
        client.start();
        started = Clock::now();
        last_completion_ns.store(now_ts().count());
        if (scenario.workload.duration_s) {
            deadline = started + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(*scenario.workload.duration_s));
        }
        remaining.store(writers.size());
        for (auto& w : writers) {
            Writer* p = w.get();
            client.post(p->loop, [this, p] { next_op(*p); });
        }
        const auto interval = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(std::max(0.01, options.progress_interval_s)));
        bool stalled = false;
        {
            std::unique_lock lock(done_mutex);
            while (remaining.load() > 0) {
                done_cv.wait_for(lock, interval);
                if (options.progress)
                    options.progress->update(sample());
                const auto idle = now_ts() - engine::Timestamp(last_completion_ns.load());
                if (remaining.load() > 0 && idle > stall_limit) {
                    stalled = true;
                    break;
                }
            }
        }
        const auto last = engine::Timestamp(last_completion_ns.load()) -
                          std::chrono::duration_cast<engine::Timestamp>(started.time_since_epoch());
        out.wall_s = std::max(1e-9, std::chrono::duration<double>(last).count());
        out.client_cpu_s = client.cpu_seconds();
        client.stop();
        if (options.progress)
            options.progress->finish();
        if (stalled) {
            out.errors.push_back("run stalled: " + std::to_string(remaining.load()) +
                                 " writers still busy and no operation finished for " +
                                 std::to_string(stall_limit.count() / 1000) + " s");
        }
        std::size_t total = 0;
        for (const auto& v : loop_ops)
            total += v.size();
        out.ops.reserve(total);
        for (auto& v : loop_ops) {
            for (auto& op : v)
                out.ops.push_back(std::move(op));
            std::vector<OpRecord>().swap(v);
        }
        // Stable order for reports: by invocation time.
        std::stable_sort(out.ops.begin(), out.ops.end(), [](const OpRecord& a, const OpRecord& b) {
            return a.invoked_ms < b.invoked_ms;
        });
        out.series = series.snapshot(out.wall_s);
        out.max_in_flight = max_in_flight.load();
        return out;
    }
};

WriterPool::WriterPool(const Scenario& scenario, const WorkloadModel& model,
                       const std::vector<WriterPlan>& writers, Target& target,
                       const WriterPoolOptions& options)
    : impl_(std::make_unique<Impl>(scenario, model, writers, target, options)) {}
WriterPool::~WriterPool() = default;
WriterPoolResult WriterPool::run() {
    return impl_->run();
}

}  // namespace conflictlab::harness::run_detail
