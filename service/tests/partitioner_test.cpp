#include <gtest/gtest.h>

#include <map>
#include <string>

#include "conflictlab/service/partitioner.hpp"

namespace conflictlab::service {
namespace {

TEST(Partitioner, Fnv1a64_KnownVectors) {
    // Published FNV-1a 64 test vectors: "" is the offset basis.
    EXPECT_EQ(fnv1a_64(""), 14695981039346656037ULL);
    EXPECT_EQ(fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
    EXPECT_EQ(fnv1a_64("foobar"), 0x85944171f73967e8ULL);
}

TEST(Partitioner, StableAcrossCalls_AndPinnedValues) {
    // Pinned: a change here re-partitions every existing queue.
    EXPECT_EQ(partition_of("r-7", 16), fnv1a_64("r-7") % 16);
    EXPECT_EQ(partition_of("r-7", 16), partition_of(std::string("r-") + "7", 16));
    EXPECT_EQ(partition_of("anything", 1), 0u);
}

TEST(Partitioner, SpreadsManyResourcesOverAllPartitions) {
    std::map<std::uint32_t, int> count;
    for (int i = 0; i < 16'000; ++i)
        ++count[partition_of("res-" + std::to_string(i), 16)];
    ASSERT_EQ(count.size(), 16u);
    for (const auto& [p, n] : count) {
        EXPECT_GT(n, 800) << "partition " << p;  // expected 1000 each
        EXPECT_LT(n, 1200) << "partition " << p;
    }
}

TEST(Partitioner, RejectsBadPartitionCounts) {
    EXPECT_THROW(partition_of("r", 0), std::invalid_argument);
    EXPECT_THROW(partition_of("r", kPartitionsMax + 1), std::invalid_argument);
    EXPECT_NO_THROW(partition_of("r", kPartitionsMax));
}

}  // namespace
}  // namespace conflictlab::service
