#pragma once
// Partitioner: which of P partition streams an event goes to, by a stable
// hash of its resource id (docs/scale-out.md "Partitions"). Stable means the
// same on every instance, every build and every platform: 64-bit FNV-1a over
// the id's bytes, reduced modulo P. Every event of one resource therefore
// lands in one stream, which is what keeps per-resource order with many
// instances.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string_view>

namespace conflictlab::service {

// Partitions at most (each is a Redis stream and a lease).
inline constexpr std::uint32_t kPartitionsMax = 1024;

// 64-bit FNV-1a of `bytes` (offset basis 14695981039346656037, prime
// 1099511628211).
std::uint64_t fnv1a_64(std::string_view bytes) noexcept;

// The partition of `resource_id`, in [0, partitions).
// REQUIRES: 1 <= partitions <= kPartitionsMax.
std::uint32_t partition_of(std::string_view resource_id, std::uint32_t partitions);

}  // namespace conflictlab::service
