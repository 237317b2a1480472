#include "conflictlab/engine/async_driver.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "client_core.hpp"
#include "conflictlab/engine/resolution.hpp"
#include "io_runner.hpp"

namespace conflictlab::engine {
namespace {

Timestamp steady_now() {
    return Timestamp(std::chrono::steady_clock::now().time_since_epoch());
}

std::uint64_t child_seed(std::uint64_t seed, std::uint64_t index) {
    SplitMix64 mix(seed ^ (index * 0x9E3779B97F4A7C15ULL));
    return mix.next();
}

}  // namespace

// Shared by the driver and every job, so handlers that outlive the driver
// object (external io_context) still find valid state.
struct detail::AsyncDriverState {
    DriverOptions options;
    std::unique_ptr<detail::IoRunner> io;
    std::shared_ptr<detail::ClientCore> core;

    std::atomic<bool> stopping{false};
    std::atomic<std::uint64_t> next_index{0};
    std::atomic<std::uint64_t> submitted{0}, completed{0}, sleeps{0}, callback_exceptions{0},
        abandoned{0}, internal_errors{0};
    std::atomic<std::uint64_t> peak_in_flight{0};

    mutable std::mutex mutex;  // guards in_flight (for wait_idle) and sleepers
    std::condition_variable idle_cv;
    std::uint64_t in_flight = 0;
    std::unordered_set<boost::asio::steady_timer*> sleepers;  // timers of sleeping jobs

    void job_finished() {
        std::lock_guard lock(mutex);
        if (--in_flight == 0)
            idle_cv.notify_all();
    }
};

namespace {

// One in-flight resolution. Owned by the handler currently waiting for it
// (an HTTP callback or its timer); at most one of those exists at a time, so
// the job is never touched by two threads at once.
class Job : public std::enable_shared_from_this<Job> {
  public:
    Job(std::shared_ptr<detail::AsyncDriverState> state, Update update, const Policy& policy,
        AsyncDriver::OnDone on_done, std::uint64_t seed)
        : state_(std::move(state)),
          random_(seed),
          ids_{update.resource_id, update.correlation_id, update.event_id,
               update.writer_id,   update.op_id,          update.method},
          resolution_(std::move(update), policy, random_),
          on_done_(std::move(on_done)),
          timer_(state_->core->executor()) {}

    void start() { step(resolution_.start(steady_now())); }

  private:
    struct Ids {
        std::string resource_id, correlation_id, event_id, writer_id, op_id;
        WriteMethod method;
    };

    void step(Action action) {
        if (state_->stopping.load(std::memory_order_relaxed))
            return abandon();
        if (auto* done = std::get_if<Done>(&action))
            return finish(std::move(done->outcome));
        if (auto* sleep = std::get_if<Sleep>(&action))
            return sleep_for(sleep->delay);
        state_->core->send(
            std::move(std::get<SendRequest>(action)),
            [self = shared_from_this()](HttpResult r) { self->on_result(std::move(r)); });
    }

    void on_result(HttpResult result) {
        try {
            if (auto* r = std::get_if<Response>(&result)) {
                step(resolution_.on_response(*r, steady_now()));
            } else {
                step(
                    resolution_.on_transport_error(std::get<TransportError>(result), steady_now()));
            }
        } catch (const std::exception& e) {
            internal_error(e.what());
        }
    }

    void sleep_for(std::chrono::milliseconds delay) {
        state_->sleeps.fetch_add(1, std::memory_order_relaxed);
        {
            // Under the mutex so the destructor's cancel() cannot slip in
            // between arming and waiting.
            std::lock_guard lock(state_->mutex);
            if (!state_->stopping.load()) {
                state_->sleepers.insert(&timer_);
                timer_.expires_after(delay);
                timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
                    self->on_timer(ec);
                });
                return;
            }
        }
        abandon();
    }

    void on_timer(const boost::system::error_code& ec) {
        {
            std::lock_guard lock(state_->mutex);
            state_->sleepers.erase(&timer_);
        }
        if (ec)
            return abandon();  // cancelled by the destructor
        try {
            step(resolution_.on_timer(steady_now()));
        } catch (const std::exception& e) {
            internal_error(e.what());
        }
    }

    void internal_error(const char* what) {
        state_->internal_errors.fetch_add(1, std::memory_order_relaxed);
        Outcome o;
        o.kind = OutcomeKind::failed;
        o.reason = FailureReason::unexpected_status;
        o.path = "internal-error";
        o.detail = std::string("internal error in the resolution engine: ") + what;
        o.resource_id = ids_.resource_id;
        o.method = ids_.method;
        o.correlation_id = ids_.correlation_id;
        o.event_id = ids_.event_id;
        o.writer_id = ids_.writer_id;
        o.op_id = ids_.op_id;
        o.alert = true;
        finish(std::move(o));
    }

    void finish(Outcome outcome) {
        scrub_secret(outcome, state_->core->secret());
        try {
            on_done_(std::move(outcome));
        } catch (...) {
            state_->callback_exceptions.fetch_add(1, std::memory_order_relaxed);
        }
        on_done_ = nullptr;
        state_->completed.fetch_add(1, std::memory_order_relaxed);
        state_->job_finished();
    }

    void abandon() {
        state_->abandoned.fetch_add(1, std::memory_order_relaxed);
        state_->job_finished();
    }
    std::shared_ptr<detail::AsyncDriverState> state_;
    Xoshiro256 random_;  // before resolution_, which borrows it
    Ids ids_;
    Resolution resolution_;
    AsyncDriver::OnDone on_done_;
    boost::asio::steady_timer timer_;
};

std::shared_ptr<detail::AsyncDriverState> make_state(DriverOptions options,
                                                     std::unique_ptr<detail::IoRunner> io) {
    auto st = std::make_shared<detail::AsyncDriverState>();
    st->io = std::move(io);
    st->core = std::make_shared<detail::ClientCore>(st->io->context().get_executor(), options.http);
    st->options = std::move(options);
    return st;
}

}  // namespace

AsyncDriver::AsyncDriver(DriverOptions options) {
    if (options.threads < 1)
        throw std::invalid_argument("driver.threads: must be >= 1");
    int threads = options.threads;
    state_ = make_state(std::move(options), std::make_unique<detail::IoRunner>(threads));
}

AsyncDriver::AsyncDriver(DriverOptions options, boost::asio::io_context& io)
    : state_(make_state(std::move(options), std::make_unique<detail::IoRunner>(io))) {}

AsyncDriver::~AsyncDriver() {
    detail::AsyncDriverState& st = *state_;
    {
        std::lock_guard lock(st.mutex);
        st.stopping.store(true);
        for (auto* timer : st.sleepers)
            timer->cancel();
    }
    st.core->shutdown();
    if (st.io->owns_threads()) {
        // Requests still in flight end within their own deadlines; give them
        // the grace period, then stop the threads (their jobs are dropped).
        std::unique_lock lock(st.mutex);
        st.idle_cv.wait_for(lock, st.options.shutdown_grace, [&] { return st.in_flight == 0; });
        std::uint64_t left = st.in_flight;
        lock.unlock();
        st.abandoned.fetch_add(left, std::memory_order_relaxed);
        st.io->stop_and_join();
        // Handlers still queued own jobs, which own the state: destroy them
        // now (core first, its timer needs the io_context) to break the cycle.
        st.core.reset();
        st.io.reset();
    }
}

void AsyncDriver::submit(Update update, const Policy& policy, OnDone on_done) {
    detail::AsyncDriverState& st = *state_;
    if (st.stopping.load())
        throw std::logic_error("AsyncDriver::submit after destruction began");
    {
        std::lock_guard lock(st.mutex);
        if (st.in_flight >= st.options.max_in_flight) {
            throw std::length_error("async driver: max_in_flight (" +
                                    std::to_string(st.options.max_in_flight) +
                                    ") resolutions already in flight");
        }
        ++st.in_flight;
        std::uint64_t peak = st.peak_in_flight.load(std::memory_order_relaxed);
        if (st.in_flight > peak)
            st.peak_in_flight.store(st.in_flight, std::memory_order_relaxed);
    }
    std::shared_ptr<Job> job;
    try {
        std::uint64_t index = st.next_index.fetch_add(1, std::memory_order_relaxed);
        job = std::make_shared<Job>(state_, std::move(update), policy, std::move(on_done),
                                    child_seed(st.options.seed, index));
    } catch (...) {
        st.job_finished();
        throw;
    }
    st.submitted.fetch_add(1, std::memory_order_relaxed);
    // start() only builds the first request and hands it to the pool; the
    // I/O happens on the driver's threads.
    job->start();
}

bool AsyncDriver::wait_idle(std::chrono::milliseconds timeout) {
    detail::AsyncDriverState& st = *state_;
    std::unique_lock lock(st.mutex);
    return st.idle_cv.wait_for(lock, timeout, [&] { return st.in_flight == 0; });
}

AsyncDriverStats AsyncDriver::stats() const {
    const detail::AsyncDriverState& st = *state_;
    AsyncDriverStats s;
    s.submitted = st.submitted.load();
    s.completed = st.completed.load();
    s.sleeps = st.sleeps.load();
    s.callback_exceptions = st.callback_exceptions.load();
    s.abandoned = st.abandoned.load();
    s.internal_errors = st.internal_errors.load();
    s.peak_in_flight = st.peak_in_flight.load();
    {
        std::lock_guard lock(st.mutex);
        s.in_flight = st.in_flight;
    }
    s.http = st.core->stats();
    return s;
}

}  // namespace conflictlab::engine
