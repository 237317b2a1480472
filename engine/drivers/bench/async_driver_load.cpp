// async_driver_load: end-to-end throughput of the AsyncDriver against a
// running target (normally `conflictlab mock`). W writers, each on its own
// resource, each keeping one update in flight and basing every update on the
// token its previous one produced (so there are no conflicts: this measures
// the driver and the server, not contention). Prints one JSON line.
//
//   async_driver_load URL [writers=1000] [seconds=10] [threads=2] [max_connections=256]

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/engine/async_driver.hpp"

using namespace conflictlab::engine;
using Clock = std::chrono::steady_clock;

namespace {

struct Writer {
    std::string id;
    std::optional<std::string> token;
    std::uint64_t n = 0;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: %s URL [writers=1000] [seconds=10] [threads=2] "
                     "[max_connections=256]\n",
                     argv[0]);
        return 2;
    }
    const std::string url = argv[1];
    const int writers = argc > 2 ? std::atoi(argv[2]) : 1000;
    const int seconds = argc > 3 ? std::atoi(argv[3]) : 10;
    DriverOptions options;
    options.http.base_url = url;
    options.threads = argc > 4 ? std::atoi(argv[4]) : 2;
    options.http.max_connections = argc > 5 ? static_cast<std::size_t>(std::atoi(argv[5])) : 256;
    if (writers < 1 || seconds < 1 || options.threads < 1) {
        std::fprintf(stderr, "writers, seconds and threads must be >= 1\n");
        return 2;
    }

    AsyncDriver driver(options);
    Policy policy;
    std::vector<Writer> state(static_cast<std::size_t>(writers));
    std::atomic<std::uint64_t> ok{0}, failed{0};
    std::atomic<bool> stop{false};
    const auto end = Clock::now() + std::chrono::seconds(seconds);

    // Each writer submits its next update from the previous one's callback.
    std::function<void(std::size_t)> next = [&](std::size_t i) {
        if (stop.load(std::memory_order_relaxed) || Clock::now() >= end)
            return;
        Writer& w = state[i];
        Update u;
        u.resource_id = w.id;
        u.payload = {{"writer", i}, {"n", w.n++}};
        u.base_token = w.token;
        u.writer_id = w.id;
        driver.submit(std::move(u), policy, [&, i](Outcome o) {
            if (o.kind == OutcomeKind::success || o.kind == OutcomeKind::resolved) {
                ++ok;
                state[i].token = o.token_after;
            } else {
                ++failed;
            }
            next(i);
        });
    };
    const auto start = Clock::now();
    for (std::size_t i = 0; i < state.size(); ++i) {
        state[i].id = "load-" + std::to_string(i);
        next(i);
    }
    std::this_thread::sleep_until(end);
    stop = true;
    driver.wait_idle(std::chrono::seconds(60));
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    AsyncDriverStats s = driver.stats();
    nlohmann::json out = {
        {"writers", writers},
        {"threads", options.threads},
        {"max_connections", options.http.max_connections},
        {"seconds", elapsed},
        {"outcomes_ok", ok.load()},
        {"outcomes_failed", failed.load()},
        {"outcomes_per_s", static_cast<double>(ok.load() + failed.load()) / elapsed},
        {"requests", s.http.requests},
        {"requests_per_s", static_cast<double>(s.http.requests) / elapsed},
        {"transport_errors", s.http.transport_errors},
        {"connections_opened", s.http.connections_opened},
        {"connections_reused", s.http.connections_reused},
        {"queued", s.http.queued},
        {"peak_in_flight", s.peak_in_flight},
    };
    std::puts(out.dump().c_str());
    return failed.load() == 0 ? 0 : 1;
}
