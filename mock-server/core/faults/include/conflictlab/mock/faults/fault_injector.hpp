#pragma once
// FaultInjector: holds the fault rules in force and decides, for each request,
// which of them fire and what the combined FaultDecision is. It never touches
// the store or the network: the request handler applies the decision.
//
// Evaluation (docs/fault-rules.md has the full reference): rules are visited
// in file order; each rule whose `match` holds and whose `after_s` has passed
// counts the request, then fires when all its other triggers hold. Every
// firing rule contributes its actions; the first status (with its Retry-After
// and body) wins, delays add up to fault_delay_ms_max, the first connection
// fate, foreign write and ETag switch win.
//
// Determinism: all randomness comes from one SeededRandom, reseeded whenever
// rules are installed (replace) or reset, with the rule file's seed if it has
// one, else the current seed. A draw is made only when a rule needs it: a
// `probability` draw once the rule's other triggers hold, then the delay
// sample(s) once it fires. So the same seed and the same sequence of requests
// give the same decisions; under concurrency, the sequence is the order in
// which requests take the injector's lock.
//
// Thread-safety: every member function may be called from many threads.
// The rules live in an atomically swapped immutable snapshot, so the
// no-rules path (one atomic load) and the no-match path (two atomic
// increments and matching without allocation) never lock; requests that
// match take one short mutex over the counters and the generator.
// replace/clear/reset swap under the same mutex, so every decision belongs to
// exactly one installed rule set; they wait (briefly) for evaluations still
// reading the old rules before freeing them.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/common/headers.hpp"
#include "conflictlab/mock/clock.hpp"
#include "conflictlab/mock/faults/fault_decision.hpp"
#include "conflictlab/mock/faults/fault_rules.hpp"
#include "conflictlab/mock/faults/seeded_random.hpp"

namespace conflictlab::mock {

// The facts about one request that rules can match on. Views into the
// caller's request; valid for the duration of evaluate().
struct RequestFacts {
    std::string_view method;       // "PUT"
    std::string_view path;         // "/resources/a" (a query after '?' is ignored)
    std::string_view resource_id;  // "a"; empty when the path names no resource
    const HeaderFields& headers;
};

class FaultInjector {
  public:
    // Starts with no rules. `seed` is used until a rule file brings its own.
    explicit FaultInjector(std::uint64_t seed);
    ~FaultInjector();
    FaultInjector(const FaultInjector&) = delete;
    FaultInjector& operator=(const FaultInjector&) = delete;

    // The decision for one request. Cheap when no rule matches.
    FaultDecision evaluate(const RequestFacts& facts, SteadyTime now);

    // Installs `rules` in place of the current ones, atomically: fresh counters,
    // `after_s` counted from `now`, the generator reseeded (with rules.seed if
    // present, which then becomes seed()). REQUIRES: `rules` came from
    // parse_fault_rules (or satisfies its validation).
    void replace(FaultRuleSet rules, SteadyTime now);
    // Removes every rule (the seed is kept).
    void clear();
    // Zeroes the counters, restarts `after_s` from `now`, reseeds with seed().
    void reset(SteadyTime now);

    // The rules in force as a rule file, with "seed": seed(), so installing it
    // again reproduces the same behaviour.
    nlohmann::json rules_json() const;
    // {"<rule name>": <firings since install or reset>, ...} for every rule.
    nlohmann::json firings_json() const;
    // {"<rule name>": <requests counted (matched and past after_s)>, ...}.
    nlohmann::json matches_json() const;

    std::uint64_t seed() const;
    // True when no rules are installed: callers may skip evaluate().
    bool empty() const noexcept { return rule_count_.load(std::memory_order_acquire) == 0; }

  private:
    struct Snapshot;
    class ReadGuard;

    static std::unique_ptr<Snapshot> install(FaultRuleSet rules, SteadyTime now);
    // Makes `snap` the rules in force and frees the previous snapshot once no
    // evaluate() can still be reading it. REQUIRES: install_mu_ held, mu_ not.
    // `prepare` runs under mu_ just before the swap (reseeding, seed bookkeeping).
    template <typename Prepare>
    void publish(std::unique_ptr<Snapshot> snap, Prepare prepare);

    // Read side (evaluate): an epoch-based guard instead of a lock. A reader
    // registers in readers_[epoch % 2]; a writer swaps snapshot_, bumps the
    // epoch and waits for the readers of the old parity before freeing the old
    // snapshot. (std::atomic<std::shared_ptr> is a spin lock in libstdc++ 12,
    // and its load() unlocks with relaxed order: a data race TSan reports.)
    std::atomic<const Snapshot*> snapshot_{nullptr};
    std::atomic<std::uint64_t> epoch_{0};
    mutable std::array<std::atomic<std::int64_t>, 2> readers_{};
    std::atomic<std::size_t> rule_count_{0};  // of snapshot_, for empty()

    std::mutex install_mu_;  // serializes replace/clear/reset (one epoch change at a time)
    mutable std::mutex mu_;  // guards current_, the snapshot's counters, random_, seed_
    std::unique_ptr<Snapshot> current_;  // owns *snapshot_; never null
    SeededRandom random_;
    std::uint64_t seed_;
};

}  // namespace conflictlab::mock
