#include "conflictlab/service/rebalance.hpp"

#include "conflictlab/service/partitioner.hpp"

namespace conflictlab::service {

namespace {

// The splitmix64 finaliser: FNV-1a alone barely mixes its last bytes into the
// high bits, so ids differing in one character would always rank alike.
std::uint64_t mix64(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

std::string planned_owner(const std::vector<std::string>& members, std::uint32_t partition) {
    const std::string suffix = "/" + std::to_string(partition);
    const std::string* best = nullptr;
    std::uint64_t best_weight = 0;
    for (const auto& m : members) {
        const std::uint64_t w = mix64(fnv1a_64(m + suffix));
        // Ties (practically never) go to the smaller name: still the same
        // answer on every instance.
        if (best == nullptr || w > best_weight || (w == best_weight && m < *best)) {
            best = &m;
            best_weight = w;
        }
    }
    return best ? *best : std::string();
}

std::vector<std::uint32_t> planned_partitions(const std::vector<std::string>& members,
                                              std::uint32_t partitions, std::string_view me) {
    std::vector<std::uint32_t> mine;
    for (std::uint32_t p = 0; p < partitions; ++p) {
        if (planned_owner(members, p) == me)
            mine.push_back(p);
    }
    return mine;
}

}  // namespace conflictlab::service
