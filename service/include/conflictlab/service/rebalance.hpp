#pragma once
// The rebalance plan: which live instance should own each partition. Every
// instance computes it from the same inputs (the live member list, read from
// the store, and P), so they agree without talking to each other. The plan
// is rendezvous (highest-random-weight) hashing: partition p goes to the
// member m with the greatest mix64(fnv1a_64(m + "/" + p)) (splitmix64 finaliser). When a member
// joins it takes over only the partitions it now wins (about P/N), and when one leaves only its
// partitions move; the others stay where they are.
//
// The plan is a wish, not a lock: a partition changes hands only through its
// lease (lease_keeper.hpp), so two instances with different views of the
// membership never own a partition at the same time.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace conflictlab::service {

// The member that should own `partition`; empty when there are no members.
std::string planned_owner(const std::vector<std::string>& members, std::uint32_t partition);

// The partitions (ascending) that `me` should own among `members`.
std::vector<std::uint32_t> planned_partitions(const std::vector<std::string>& members,
                                              std::uint32_t partitions, std::string_view me);

}  // namespace conflictlab::service
