#include "simulation.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <variant>

#include "../run/writer_pool.hpp"  // compact(), alert_card(): the real runner's, reused
#include "conflictlab/common/json_text.hpp"
#include "conflictlab/engine/resolution.hpp"
#include "conflictlab/harness/sim/scheduler.hpp"
#include "conflictlab/harness/sim/server_queue.hpp"

namespace conflictlab::harness::sim::detail {

namespace {

enum EventKind : std::uint32_t {
    kNextOp = 1,   // actor: writer
    kArrive,       // tag: exchange id
    kServiceDone,  // tag: exchange id
    kDeliver,      // tag: exchange id
    kTimeout,      // actor: writer
    kTimer,        // actor: writer, tag: sleep generation
    kReread,       // actor: writer (its op's GET failed; read again)
};

// Salt for the simulator's own generators, so their streams differ from the
// workload planner's (which seeds Xoshiro256 with the bare run seed).
constexpr std::uint64_t kSimSalt = 0x73696d2d74696d65ull;  // "sim-time"
// The real HttpClient's timeout when a SendRequest carries none.
constexpr std::int64_t kDefaultTimeoutNs = 10'000'000'000;
// Progress samples every this many events.
constexpr std::uint64_t kProgressEvery = 1u << 16;
constexpr std::size_t kSeriesSlots = 3700;

constexpr std::int64_t ms_to_ns(std::int64_t ms) {
    return ms * 1'000'000;
}

bool is_write_method(std::string_view method) {
    return method == "PUT" || method == "PATCH" || method == "DELETE" || method == "POST";
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

}  // namespace

struct Simulation::Impl {
    // One request on its way through the network and the server.
    struct Exchange {
        std::uint32_t writer = 0;
        std::uint64_t generation = 0;  // the writer's exchange generation at send
        mock::Request request;
        std::int64_t arrived_ns = 0;
        std::optional<engine::Response> response;
        std::optional<engine::TransportError> error;
    };

    enum class Awaiting { nothing, read, engine };

    struct Writer {
        Writer(const WriterPlan& p, const WorkloadModel& model)
            : plan(p), state(p, model), known(KnownStates::capacity_for(model.spec())) {}
        WriterPlan plan;
        WriterState state;
        KnownStates known;  // read_before_write "unless-known"
        std::uint64_t ops_done = 0;
        bool finished = false;
        bool at_gate = false;
        OpPlan op;
        std::unique_ptr<engine::RandomSource> random;  // before resolution: it borrows it
        std::unique_ptr<engine::Resolution> resolution;
        OpRecord record;
        std::string peer;
        // The exchange outstanding (if any): its generation and deadline.
        Awaiting awaiting = Awaiting::nothing;
        std::uint64_t generation = 0;
        std::int64_t deadline_ns = 0;
        // The earliest timeout event pending for this writer (one at most,
        // re-armed when it fires early), so abandoned timeouts never pile up.
        bool timeout_pending = false;
        std::int64_t timeout_event_ns = 0;
        bool sleeping = false;
        std::uint64_t sleep_generation = 0;
        int failed_reads = 0;  // of the current op's GET (read_retry_delay)
    };

    Impl(const Scenario& s, const WorkloadModel& m, const std::vector<WriterPlan>& plans,
         SimTarget& t, VirtualClock& c, const SimModel& model, std::uint64_t seed, Progress* p)
        : scenario(s),
          workload(m),
          target(t),
          clock(c),
          sim(model),
          progress(p),
          scheduler(c),
          queue(model.server.concurrency_limit, model.server.serialize_writes),
          series(kSeriesSlots) {
        engine::SplitMix64 root(seed ^ kSimSalt);
        network_random = std::make_unique<engine::Xoshiro256>(root.next());
        service_random = std::make_unique<engine::Xoshiro256>(root.next());
        writers.reserve(plans.size());
        for (const auto& plan : plans) {
            writers.push_back(std::make_unique<Writer>(plan, m));
            // Like the real client's connections: one source port per writer.
            writers.back()->peer = "127.0.0.1:" + std::to_string(10000 + plan.index % 50000);
        }
        gates.assign((plans.size() + 1) / 2, -1);
        if (s.workload.ops_per_writer) {
            ops.reserve(static_cast<std::size_t>(*s.workload.ops_per_writer) * plans.size());
        }
        if (s.workload.duration_s) {
            deadline_ns = static_cast<std::int64_t>(*s.workload.duration_s * 1e9);
        }
    }

    const Scenario& scenario;
    const WorkloadModel& workload;
    SimTarget& target;
    VirtualClock& clock;
    const SimModel& sim;
    Progress* progress;
    Scheduler scheduler;
    ServerQueue queue;
    TimeSeriesRecorder series;
    std::unique_ptr<engine::Xoshiro256> network_random;
    std::unique_ptr<engine::Xoshiro256> service_random;
    std::vector<std::unique_ptr<Writer>> writers;
    std::vector<int> gates;           // per pair: index of the writer waiting, -1 none
    std::vector<Exchange> exchanges;  // slab, indexed by exchange id
    std::vector<std::uint64_t> free_exchanges;
    std::optional<std::int64_t> deadline_ns;
    std::vector<OpRecord> ops;

    std::size_t remaining = 0;
    std::uint64_t completed = 0, acknowledged = 0, failed = 0, conflicts = 0;
    std::uint64_t in_flight = 0, max_in_flight = 0;
    std::uint64_t requests = 0, client_timeouts = 0;
    std::int64_t last_completion_ns = 0;

    double now_ms() const { return static_cast<double>(clock.now_ns()) / 1e6; }
    engine::Timestamp now_ts() const { return engine::Timestamp{clock.now_ns()}; }
    std::int64_t wall_ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   clock.wall_now().time_since_epoch())
            .count();
    }
    std::int64_t network_delay() { return sample_delay_ns(sim.network.delay, *network_random); }

    // ---- writers ---------------------------------------------------------

    void next_op(Writer& w) {
        const auto& spec = scenario.workload;
        if ((spec.ops_per_writer &&
             w.ops_done >= static_cast<std::uint64_t>(*spec.ops_per_writer)) ||
            (deadline_ns && clock.now_ns() >= *deadline_ns)) {
            writer_done(w);
            return;
        }
        w.op = w.state.next_op();
        w.record = OpRecord{};
        w.record.op_id = w.op.op_id;
        w.record.writer_id = w.plan.id;
        w.record.group = scenario.groups[static_cast<std::size_t>(w.plan.group)].name;
        w.record.resource_id = workload.resource_id(w.op.resource);
        w.record.invoked_ms = now_ms();
        w.failed_reads = 0;
        if (const KnownState* known = w.known.find(w.op.resource)) {
            begin(w, start_op_from_known(workload, w.plan, w.op, *known, wall_ms() + w.plan.skew_ms,
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
        get.timeout = std::chrono::milliseconds(workload.policy(w.plan.group).attempt_timeout_ms);
        get.headers.add("Accept", "application/json");
        get.headers.add("X-Writer-Id", w.plan.id);
        send(w, std::move(get), Awaiting::read);
    }

    void on_read(Writer& w, const Exchange& ex) {
        const engine::Policy& policy = workload.policy(w.plan.group);
        const engine::Response* answer = ex.response ? &*ex.response : nullptr;
        if (!read_is_usable(answer)) {
            ++w.failed_reads;
            if (const auto delay = read_retry_delay(policy, w.failed_reads, w.op.resolution_seed)) {
                scheduler.after(ms_to_ns(delay->count()),
                                {kReread, static_cast<std::uint32_t>(w.plan.index), 0});
                return;
            }
            // No base token to build on: give up rather than write blind.
            ++in_flight;
            finish(w,
                   give_up_unreadable(
                       workload, w.plan, w.op, wall_ms() + w.plan.skew_ms, w.record, w.failed_reads,
                       describe_read_failure(answer, ex.error ? &*ex.error : nullptr)));
            return;
        }
        begin(w, start_op(workload, w.plan, w.op, *answer, wall_ms() + w.plan.skew_ms, w.record));
    }

    // The op's resolution starts (at its pair's gate when paired), or the op
    // ends at once when the harness could not build its update.
    void begin(Writer& w, StartedOp begun) {
        if (begun.failed) {
            ++in_flight;
            finish(w, std::move(*begun.failed));
            return;
        }
        w.random = std::move(begun.random);
        w.resolution = std::move(begun.resolution);
        if (w.plan.partner >= 0) {
            arrive_at_gate(w);
        } else {
            launch(w);
        }
    }

    // simultaneous_pairs: both writers of a pair send at the same instant.
    void arrive_at_gate(Writer& w) {
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
        max_in_flight = std::max(max_in_flight, ++in_flight);
        drive(w, [this, &w] { return w.resolution->start(now_ts()); });
    }

    // Feeds one event to the writer's resolution. Engine misuse is a harness
    // bug: recorded as the op's failure, as the real runner does.
    template <typename Step>
    void drive(Writer& w, const Step& step) {
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
        if (auto* request = std::get_if<engine::SendRequest>(&action)) {
            send(w, std::move(*request), Awaiting::engine);
        } else if (auto* sleep = std::get_if<engine::Sleep>(&action)) {
            w.sleeping = true;
            scheduler.after(
                ms_to_ns(sleep->delay.count()),
                {kTimer, static_cast<std::uint32_t>(w.plan.index), ++w.sleep_generation});
        } else {
            finish(w, std::move(std::get<engine::Done>(action).outcome));
        }
    }

    void finish(Writer& w, engine::Outcome outcome) {
        w.known.after_op(w.op.resource, outcome);
        // compact() drops the final body; freeing it leaves first is cheaper.
        if (outcome.final_body)
            release_json(*outcome.final_body);
        run_detail::compact(outcome);
        w.record.outcome = std::move(outcome);
        w.record.completed_ms = now_ms();
        const auto& o = w.record.outcome;
        const bool ack =
            o.kind == engine::OutcomeKind::success || o.kind == engine::OutcomeKind::resolved;
        const bool is_failed = o.kind == engine::OutcomeKind::failed;
        ++completed;
        acknowledged += ack ? 1 : 0;
        failed += is_failed ? 1 : 0;
        conflicts += static_cast<std::uint64_t>(std::max(0, o.conflicts));
        series.record(w.record.completed_ms / 1000.0, ack, is_failed, o.conflicts);
        last_completion_ns = clock.now_ns();
        if (o.alert)
            target.deliver_alert(run_detail::alert_card(w.record));
        ops.push_back(std::move(w.record));
        ++w.ops_done;
        w.resolution.reset();
        w.random.reset();
        --in_flight;
        // Scheduled, not called: keeps the stack flat across many ops, and
        // lets other events at this instant go first, as a posted handler would.
        scheduler.after(ms_to_ns(scenario.workload.think_time_ms),
                        {kNextOp, static_cast<std::uint32_t>(w.plan.index), 0});
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
        --remaining;
    }

    // ---- network and server ---------------------------------------------

    void send(Writer& w, engine::SendRequest&& request, Awaiting awaiting) {
        w.awaiting = awaiting;
        ++w.generation;
        const std::uint64_t id = allocate_exchange();
        Exchange& ex = exchanges[id];
        ex.writer = static_cast<std::uint32_t>(w.plan.index);
        ex.generation = w.generation;
        ex.request.method = std::move(request.method);
        ex.request.target = std::move(request.path);
        ex.request.headers = std::move(request.headers);
        ex.request.body = std::move(request.body);
        ex.request.peer = w.peer;
        scheduler.after(network_delay(), {kArrive, ex.writer, id});
        const std::int64_t timeout_ns =
            request.timeout.count() > 0 ? ms_to_ns(request.timeout.count()) : kDefaultTimeoutNs;
        w.deadline_ns = clock.now_ns() + timeout_ns;
        if (!w.timeout_pending || w.timeout_event_ns > w.deadline_ns) {
            w.timeout_pending = true;
            w.timeout_event_ns = w.deadline_ns;
            scheduler.at(w.deadline_ns, {kTimeout, ex.writer, 0});
        }
    }

    // Exchanges live in a slab; an id is reused only after the exchange's
    // last event (service-done or deliver) has been processed, so no event
    // can reach a recycled slot.
    std::uint64_t allocate_exchange() {
        if (!free_exchanges.empty()) {
            const std::uint64_t id = free_exchanges.back();
            free_exchanges.pop_back();
            return id;
        }
        exchanges.emplace_back();
        return exchanges.size() - 1;
    }

    void release_exchange(std::uint64_t id) {
        exchanges[id] = Exchange{};
        free_exchanges.push_back(id);
    }

    std::size_t live_exchanges() const { return exchanges.size() - free_exchanges.size(); }

    void on_arrive(std::uint64_t id) {
        Exchange& ex = exchanges[id];
        ex.arrived_ns = clock.now_ns();
        ++requests;
        const std::string_view method = ex.request.method;
        for (const std::uint64_t started :
             queue.arrive(id, std::string(path_of(ex.request.target)), is_write_method(method))) {
            start_service(started);
        }
    }

    void start_service(std::uint64_t id) {
        scheduler.after(sample_delay_ns(sim.server.service, *service_random),
                        {kServiceDone, 0, id});
    }

    void on_service_done(std::uint64_t id) {
        Exchange& ex = exchanges[id];
        // The request takes effect now, in service-completion order.
        mock::Response response = target.core().handle(ex.request);
        for (const std::uint64_t started : queue.finish(id))
            start_service(started);
        const Writer& w = *writers[ex.writer];
        if (w.awaiting == Awaiting::nothing || w.generation != ex.generation) {
            release_exchange(id);  // the client gave up on it already
            return;
        }
        const std::int64_t hang_limit_ns = ms_to_ns(sim.server.hang_limit_ms);
        std::int64_t delay_ns = std::min(ms_to_ns(response.delay.count()), hang_limit_ns);
        switch (response.fate) {
            case mock::ConnectionFate::respond: {
                target.core().observe_latency(
                    ex.request.method, response.status,
                    std::chrono::nanoseconds(clock.now_ns() + delay_ns - ex.arrived_ns));
                engine::Response& r = ex.response.emplace();
                r.status = response.status;
                r.headers = std::move(response.headers);
                if (!response.head)
                    r.body = std::move(response.body);
                break;
            }
            case mock::ConnectionFate::reset:
            case mock::ConnectionFate::close_silently:
                ex.error = engine::TransportError{engine::TransportErrorKind::reset, true,
                                                  "connection closed by the server without a "
                                                  "response (simulated)"};
                break;
            case mock::ConnectionFate::hang:
                ex.error = engine::TransportError{engine::TransportErrorKind::reset, true,
                                                  "connection closed after hanging (simulated)"};
                delay_ns += hang_limit_ns;
                break;
        }
        scheduler.after(delay_ns + network_delay(), {kDeliver, ex.writer, id});
    }

    void on_deliver(std::uint64_t id) {
        // Moved out first: delivering may send the next request, which may
        // grow the slab.
        Exchange ex = std::move(exchanges[id]);
        release_exchange(id);
        Writer& w = *writers[ex.writer];
        if (w.awaiting == Awaiting::nothing || w.generation != ex.generation)
            return;  // timed out meanwhile
        if (ex.response)
            ex.response->received_wall = clock.wall_now();
        deliver(w, ex);
    }

    void on_timeout(Writer& w) {
        w.timeout_pending = false;
        if (w.awaiting == Awaiting::nothing)
            return;
        if (clock.now_ns() < w.deadline_ns) {
            // A later exchange is outstanding: wait for its deadline.
            w.timeout_pending = true;
            w.timeout_event_ns = w.deadline_ns;
            scheduler.at(w.deadline_ns, {kTimeout, static_cast<std::uint32_t>(w.plan.index), 0});
            return;
        }
        ++client_timeouts;
        Exchange ex;
        ex.error = engine::TransportError{engine::TransportErrorKind::timeout, true,
                                          "no response within the request timeout (simulated)"};
        deliver(w, ex);
    }

    // The exchange is over for the writer: hand its result on.
    void deliver(Writer& w, const Exchange& ex) {
        const Awaiting awaiting = w.awaiting;
        w.awaiting = Awaiting::nothing;
        ++w.generation;  // anything still travelling for the old one is stale
        if (awaiting == Awaiting::read) {
            on_read(w, ex);
        } else if (ex.response) {
            drive(w, [this, &w, &ex] { return w.resolution->on_response(*ex.response, now_ts()); });
        } else {
            drive(w, [this, &w, &ex] {
                return w.resolution->on_transport_error(*ex.error, now_ts());
            });
        }
    }

    void on_timer(Writer& w, std::uint64_t generation) {
        if (!w.sleeping || generation != w.sleep_generation)
            return;
        w.sleeping = false;
        drive(w, [this, &w] { return w.resolution->on_timer(now_ts()); });
    }

    // ---- the loop ---------------------------------------------------------

    void dispatch(const Event& e) {
        switch (e.kind) {
            case kNextOp:
                next_op(*writers[e.actor]);
                break;
            case kArrive:
                on_arrive(e.tag);
                break;
            case kServiceDone:
                on_service_done(e.tag);
                break;
            case kDeliver:
                on_deliver(e.tag);
                break;
            case kTimeout:
                on_timeout(*writers[e.actor]);
                break;
            case kTimer:
                on_timer(*writers[e.actor], e.tag);
                break;
            case kReread:
                send_read(*writers[e.actor]);
                break;
            default:
                throw std::logic_error("simulation: unknown event kind");
        }
    }

    ProgressSample sample() const {
        ProgressSample s;
        s.elapsed_s = static_cast<double>(clock.now_ns()) / 1e9;
        s.completed = completed;
        if (scenario.workload.ops_per_writer) {
            s.planned =
                static_cast<std::uint64_t>(*scenario.workload.ops_per_writer) * writers.size();
        }
        s.duration_s = scenario.workload.duration_s.value_or(0.0);
        s.acknowledged = acknowledged;
        s.failed = failed;
        s.conflicts = conflicts;
        s.in_flight = in_flight;
        return s;
    }

    SimulationOutput run() {
        SimulationOutput out;
        remaining = writers.size();
        for (auto& w : writers)
            scheduler.at(0, {kNextOp, static_cast<std::uint32_t>(w->plan.index), 0});
        const auto max_virtual_ns = static_cast<std::int64_t>(sim.limits.max_virtual_s * 1e9);
        try {
            while (auto e = scheduler.pop()) {
                if (scheduler.processed() > sim.limits.max_events) {
                    out.errors.push_back("sim: stopped after " +
                                         std::to_string(sim.limits.max_events) +
                                         " events (sim.limits.max_events); " +
                                         std::to_string(remaining) + " writers unfinished");
                    break;
                }
                if (clock.now_ns() > max_virtual_ns) {
                    out.errors.push_back(
                        "sim: stopped at virtual time " +
                        std::to_string(static_cast<long long>(sim.limits.max_virtual_s)) +
                        " s (sim.limits.max_virtual_s); " + std::to_string(remaining) +
                        " writers unfinished");
                    break;
                }
                dispatch(*e);
                if (progress && scheduler.processed() % kProgressEvery == 0)
                    progress->update(sample());
                // Every writer is done and nothing is on its way to the
                // server: what is left are timeouts of finished exchanges.
                if (remaining == 0 && live_exchanges() == 0)
                    break;
            }
        } catch (const std::exception& e) {
            out.errors.push_back(std::string("sim: ") + e.what());
        }
        if (out.errors.empty() && remaining > 0) {
            out.errors.push_back("sim: " + std::to_string(remaining) +
                                 " writers unfinished with no event pending");
        }
        if (progress) {
            progress->update(sample());
            progress->finish();
        }
        out.events = scheduler.processed();
        out.peak_pending = scheduler.peak_pending();
        out.virtual_s = static_cast<double>(clock.now_ns()) / 1e9;
        out.wall_s = std::max(1e-9, static_cast<double>(last_completion_ns) / 1e9);
        out.series = series.snapshot(out.wall_s);
        out.max_in_flight = max_in_flight;
        out.requests = requests;
        out.client_timeouts = client_timeouts;
        // Report order as the real runner's: by invocation time; ties (many
        // ops start at the same virtual instant) keep completion order.
        std::vector<std::size_t> order(ops.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::stable_sort(order.begin(), order.end(), [this](std::size_t a, std::size_t b) {
            return ops[a].invoked_ms < ops[b].invoked_ms;
        });
        out.ops.reserve(ops.size());
        for (const std::size_t i : order)
            out.ops.push_back(std::move(ops[i]));
        std::vector<OpRecord>().swap(ops);
        return out;
    }
};

Simulation::Simulation(const Scenario& scenario, const WorkloadModel& model,
                       const std::vector<WriterPlan>& writers, SimTarget& target,
                       VirtualClock& clock, const SimModel& sim, std::uint64_t seed,
                       Progress* progress)
    : impl_(std::make_unique<Impl>(scenario, model, writers, target, clock, sim, seed, progress)) {}

Simulation::~Simulation() = default;

SimulationOutput Simulation::run() {
    return impl_->run();
}

}  // namespace conflictlab::harness::sim::detail
