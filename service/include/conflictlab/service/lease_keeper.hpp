#pragma once
// LeaseKeeper: one instance's side of partition ownership, driven by tick()
// (docs/scale-out.md "Ownership"). Each tick:
//
//   1. heartbeat: stay in the live set, read the members;
//   2. plan: planned_partitions(members, P, me) (rebalance.hpp);
//   3. for each partition held:
//        renew; refused -> LOST (another instance may own it now: stop at
//        once; outcomes still in flight will be fenced at commit);
//        held but no longer planned -> DRAINING: no new reads; released when
//        nothing of it is queued or running, or after drain_max;
//   4. for each planned partition not held: acquire (succeeds once the old
//      owner released it or its lease expired) -> ACQUIRED with a new token.
//
// A store error during a tick ends the tick early (the exception is passed
// on); holdings are then unchanged, and a lease that could not be renewed
// for a whole ttl will be refused as LOST at the next successful tick.
//
// Time: `now` is the caller's steady clock (a fake in tests), used only for
// drain deadlines; lease expiry is the store's business.
//
// Thread-safety: none (one coordinator thread calls it).
// Ownership: references the store, which must outlive the keeper.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conflictlab/service/queue_store.hpp"

namespace conflictlab::service {

struct LeaseKeeperOptions {
    // This instance's id (unique among the live instances). Required.
    std::string instance;
    // Partitions P. 1..kPartitionsMax.
    std::uint32_t partitions = 16;
    // Lease and membership lifetime; renewed every tick (tick <= ttl / 3).
    std::chrono::milliseconds lease_ttl{5'000};
    // A draining partition is released after this long even with work left
    // (that work is then fenced and redone by the next owner).
    std::chrono::milliseconds drain_max{10'000};
};

struct LeaseChanges {
    // Newly held partitions with their fencing tokens.
    std::vector<std::pair<std::uint32_t, std::uint64_t>> acquired;
    // Renewal refused: no longer ours.
    std::vector<std::uint32_t> lost;
    // Started draining at this tick (stop reading them).
    std::vector<std::uint32_t> draining;
    // Released after draining.
    std::vector<std::uint32_t> released;
};

class LeaseKeeper {
  public:
    using Clock = std::chrono::steady_clock;
    // Work of a partition still queued or running on this instance.
    using Outstanding = std::function<std::size_t(std::uint32_t partition)>;

    // REQUIRES: `store` outlives the keeper. Throws std::invalid_argument for
    // bad options.
    LeaseKeeper(QueueStore& store, LeaseKeeperOptions options);

    LeaseChanges tick(Clock::time_point now, const Outstanding& outstanding);
    // Releases every held lease and leaves the live set (graceful stop).
    void leave();

    // The token of a held partition (draining included); nullopt when not held.
    std::optional<std::uint64_t> token(std::uint32_t partition) const;
    bool is_draining(std::uint32_t partition) const;
    // Held partitions that are not draining, with tokens (what to read).
    std::vector<std::pair<std::uint32_t, std::uint64_t>> readable() const;
    std::size_t held() const noexcept { return held_.size(); }
    const std::vector<std::string>& members() const noexcept { return members_; }
    const LeaseKeeperOptions& options() const noexcept { return options_; }

  private:
    struct Held {
        std::uint64_t token = 0;
        bool draining = false;
        Clock::time_point drain_deadline{};
    };

    QueueStore& store_;
    LeaseKeeperOptions options_;
    std::map<std::uint32_t, Held> held_;
    std::vector<std::string> members_;
};

}  // namespace conflictlab::service
