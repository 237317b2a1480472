#pragma once
// BlockingDriver: resolves one Update at a time on the calling thread, for
// simple tools and tests. It runs the Resolution loop: perform SendRequest
// (over Beast, with the request's timeout), sleep on Sleep, until Done.
// Connections are kept alive and reused within a resolution and across
// calls (the same pool as HttpClient, driven on the caller's thread).
//
//   DriverOptions options;
//   options.http.base_url = "http://127.0.0.1:8080";
//   BlockingDriver driver(options);
//   Xoshiro256 random(42);
//   Outcome o = driver.resolve(update, policy, random);
//
// Sleeping is the one real wait in the engine; BlockingEnv makes it (and the
// clock) injectable so tests do not wait.
//
// Thread-safety: none; use one driver per thread (or AsyncDriver).
// Ownership: copies its options; `random` is borrowed for the call.

#include <chrono>
#include <functional>
#include <memory>

#include "conflictlab/engine/driver_options.hpp"
#include "conflictlab/engine/outcome.hpp"
#include "conflictlab/engine/policy.hpp"
#include "conflictlab/engine/random.hpp"
#include "conflictlab/engine/update.hpp"

namespace conflictlab::engine {

// The environment a BlockingDriver waits and reads time through.
struct BlockingEnv {
    // Waits `delay` (a Sleep action). Default: std::this_thread::sleep_for.
    std::function<void(std::chrono::milliseconds delay)> sleep;
    // Monotonic clock for the Resolution's timestamps. Default: steady_clock.
    std::function<Timestamp()> now;
};

class BlockingDriver {
  public:
    // Throws TargetError (bad base_url) or std::runtime_error (unreadable
    // token or CA file).
    explicit BlockingDriver(DriverOptions options, BlockingEnv env = {});
    ~BlockingDriver();
    BlockingDriver(const BlockingDriver&) = delete;
    BlockingDriver& operator=(const BlockingDriver&) = delete;

    // Applies `update` under `policy` and returns its outcome (the bearer
    // token, if any, scrubbed from every string). Throws std::invalid_argument
    // (PolicyError) for an invalid update or policy, before sending anything.
    Outcome resolve(const Update& update, const Policy& policy, RandomSource& random);

    HttpClientStats stats() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conflictlab::engine
