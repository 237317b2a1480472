#include "conflictlab/service/partitioner.hpp"

#include <stdexcept>
#include <string>

namespace conflictlab::service {

std::uint64_t fnv1a_64(std::string_view bytes) noexcept {
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

std::uint32_t partition_of(std::string_view resource_id, std::uint32_t partitions) {
    if (partitions < 1 || partitions > kPartitionsMax) {
        throw std::invalid_argument("partitions: must be 1.." + std::to_string(kPartitionsMax) +
                                    ", got " + std::to_string(partitions));
    }
    return static_cast<std::uint32_t>(fnv1a_64(resource_id) % partitions);
}

}  // namespace conflictlab::service
