#include "conflictlab/service/lease_keeper.hpp"

#include <algorithm>
#include <stdexcept>

#include "conflictlab/service/partitioner.hpp"
#include "conflictlab/service/rebalance.hpp"

namespace conflictlab::service {

LeaseKeeper::LeaseKeeper(QueueStore& store, LeaseKeeperOptions options)
    : store_(store), options_(std::move(options)) {
    if (options_.instance.empty())
        throw std::invalid_argument("instance: required (a unique id per instance)");
    if (options_.instance.find('|') != std::string::npos)
        throw std::invalid_argument("instance: must not contain '|'");
    if (options_.partitions < 1 || options_.partitions > kPartitionsMax) {
        throw std::invalid_argument("partitions: must be 1.." + std::to_string(kPartitionsMax));
    }
    if (options_.lease_ttl.count() < 3)
        throw std::invalid_argument("lease_ttl: must be at least 3 ms");
    if (options_.drain_max.count() < 0)
        throw std::invalid_argument("drain_max: must not be negative");
}

LeaseChanges LeaseKeeper::tick(Clock::time_point now, const Outstanding& outstanding) {
    LeaseChanges changes;
    members_ = store_.heartbeat(options_.instance, options_.lease_ttl);
    const std::vector<std::uint32_t> plan =
        planned_partitions(members_, options_.partitions, options_.instance);
    auto planned = [&](std::uint32_t p) { return std::binary_search(plan.begin(), plan.end(), p); };

    for (auto it = held_.begin(); it != held_.end();) {
        const std::uint32_t p = it->first;
        Held& h = it->second;
        if (!store_.renew(p, options_.instance, h.token, options_.lease_ttl)) {
            changes.lost.push_back(p);
            it = held_.erase(it);
            continue;
        }
        if (!h.draining && !planned(p)) {
            h.draining = true;
            h.drain_deadline = now + options_.drain_max;
            changes.draining.push_back(p);
        } else if (h.draining && planned(p)) {
            h.draining = false;  // the plan changed back before we let go
        }
        if (h.draining && (outstanding(p) == 0 || now >= h.drain_deadline)) {
            store_.release(p, options_.instance, h.token);
            changes.released.push_back(p);
            it = held_.erase(it);
            continue;
        }
        ++it;
    }
    for (const std::uint32_t p : plan) {
        if (held_.contains(p))
            continue;
        const std::uint64_t token = store_.acquire(p, options_.instance, options_.lease_ttl);
        if (token == 0)
            continue;  // the previous owner still holds it: next tick
        held_[p] = Held{token, false, {}};
        changes.acquired.emplace_back(p, token);
    }
    return changes;
}

void LeaseKeeper::leave() {
    for (const auto& [p, h] : held_)
        store_.release(p, options_.instance, h.token);
    held_.clear();
    store_.leave(options_.instance);
}

std::optional<std::uint64_t> LeaseKeeper::token(std::uint32_t partition) const {
    auto it = held_.find(partition);
    if (it == held_.end())
        return std::nullopt;
    return it->second.token;
}

bool LeaseKeeper::is_draining(std::uint32_t partition) const {
    auto it = held_.find(partition);
    return it != held_.end() && it->second.draining;
}

std::vector<std::pair<std::uint32_t, std::uint64_t>> LeaseKeeper::readable() const {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
    for (const auto& [p, h] : held_) {
        if (!h.draining)
            out.emplace_back(p, h.token);
    }
    return out;
}

}  // namespace conflictlab::service
