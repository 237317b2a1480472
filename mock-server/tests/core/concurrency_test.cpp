// Many writers racing on one resource through handle(): a conditional write
// is a compare-and-swap, so exactly the accepted writes are in the history,
// the chain of replaced ETags is unbroken, and no ETag repeats.

#include "test_support.hpp"

#include <atomic>
#include <thread>
#include <vector>

namespace conflictlab::mock::testing {
namespace {

TEST(Concurrency, ConditionalWritersNeverBothWinWithTheSameIfMatch) {
    constexpr int kThreads = 8;
    constexpr int kIterations = 2000;
    ManualClock clock;
    CoreOptions options;
    options.history_limit = kThreads * kIterations + 1;  // keep every entry to check the chain
    ServerCore core(options, clock);
    ASSERT_EQ(core.handle(make_request("PUT", "/resources/hot", R"({"n":0})",
                                       {{"Content-Type", "application/json"}}))
                  .status,
              201);
    std::atomic<int> accepted{0};
    std::atomic<int> conflicts{0};
    std::atomic<int> unexpected{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kIterations; ++i) {
                const Response got = core.handle(make_request("GET", "/resources/hot"));
                const std::string etag(got.headers.get("ETag").value_or(""));
                const Response put = core.handle(make_request(
                    "PUT", "/resources/hot", R"({"n":)" + std::to_string(t * kIterations + i) + "}",
                    {{"Content-Type", "application/json"},
                     {"If-Match", etag},
                     {"X-Writer-Id", "w" + std::to_string(t)}}));
                if (put.status == 200) {
                    ++accepted;
                } else if (put.status == 412) {
                    ++conflicts;
                } else {
                    ++unexpected;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(unexpected.load(), 0);
    EXPECT_EQ(accepted.load() + conflicts.load(), kThreads * kIterations);
    EXPECT_GT(accepted.load(), 0);

    const auto history = core.store().history("hot");
    ASSERT_TRUE(history);
    ASSERT_EQ(history->dropped, 0u);
    ASSERT_EQ(history->entries.size(), static_cast<std::size_t>(accepted.load()) + 1);  // + create
    std::set<std::string> seen;
    for (std::size_t i = 0; i < history->entries.size(); ++i) {
        const auto& e = history->entries[i];
        EXPECT_TRUE(seen.insert(e.etag).second) << "repeated ETag " << e.etag;
        EXPECT_EQ(e.version, i + 1);
        if (i > 0) {
            ASSERT_EQ(e.replaced_etag, history->entries[i - 1].etag) << "chain broken at " << i;
        }
    }
    EXPECT_EQ(core.store().get("hot")->etag, history->entries.back().etag);
}

}  // namespace
}  // namespace conflictlab::mock::testing
