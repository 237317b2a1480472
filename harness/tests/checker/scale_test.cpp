// Scale: the checker stays near-linear. A million ops and a hundred thousand
// server writes must check in about a second on the CI machine; the tests
// only make sure it completes and print the time (no timing assertion: the
// machine is shared).

#include <chrono>
#include <cstdio>
#include <ctime>

#include <gtest/gtest.h>

#include "history_builder.hpp"

namespace conflictlab::harness::testing {
namespace {

// Wall and CPU time since construction (CPU time says more on a busy machine).
class Stopwatch {
  public:
    double wall_s() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
    }
    double cpu_s() const { return static_cast<double>(std::clock() - cpu_) / CLOCKS_PER_SEC; }

  private:
    std::chrono::steady_clock::time_point wall_ = std::chrono::steady_clock::now();
    std::clock_t cpu_ = std::clock();
};

TEST(CheckerScale, MillionSetAddOpsAndHundredThousandWrites_Complete) {
    constexpr int kResources = 1000;
    constexpr int kOpsPerResource = 1000;
    constexpr int kWritesPerResource = 100;
    History h;
    h.kind = WorkloadKind::set_add;
    h.ops.reserve(kResources * kOpsPerResource);
    for (int r = 0; r < kResources; ++r) {
        const std::string id = "r-" + std::to_string(r);
        ServerResource server;
        server.id = id;
        json elements = json::array();
        std::vector<std::string> writers;
        for (int i = 0; i < kOpsPerResource; ++i) {
            const std::string op_id = id + "-op-" + std::to_string(i);
            // Every 10th op timed out, every 50th was rejected (and is absent).
            const Fate fate = i % 50 == 7   ? Fate::failed
                              : i % 10 == 3 ? Fate::timeout
                                            : Fate::success;
            h.ops.push_back(set_op(op_id, id, op_id, fate));
            if (fate != Fate::failed)
                elements.push_back(op_id);
            if (i < kWritesPerResource)
                writers.push_back(op_id);
        }
        server.writes = chain(writers, id + "-e");
        server.final_etag = server.writes.back().etag;
        server.final_body = json{{"items", std::move(elements)}};
        h.resources.emplace(id, std::move(server));
    }
    // One lost update, so the anomaly path runs too.
    h.resources.at("r-5").final_body->at("items").erase(0);

    const Stopwatch watch;
    const CheckReport report = check_history(h);
    std::printf("[ checker ] %zu ops, %llu server writes checked in %.3f s (cpu %.3f s)\n",
                h.ops.size(), static_cast<unsigned long long>(report.server_writes), watch.wall_s(),
                watch.cpu_s());
    EXPECT_EQ(report.ops_checked, 1'000'000u);
    EXPECT_EQ(report.server_writes, 100'000u);
    EXPECT_EQ(report.lost_updates, 1u);
    EXPECT_EQ(report.anomalies_total, 1u);
}

TEST(CheckerScale, HotRegisterResourceWithDiscards_Completes) {
    // Every op on one resource and one field: any pairwise scan would take
    // minutes here.
    constexpr int kOps = 200'000;
    History h;
    h.kind = WorkloadKind::register_lww;
    std::vector<std::string> applied;
    for (int i = 0; i < kOps; ++i) {
        const std::string op_id = "op-" + std::to_string(i);
        const bool stale = i % 2 == 1;  // carries a timestamp older than its predecessor
        const std::int64_t ts = stale ? i - 1 : i;
        h.ops.push_back(field_op(op_id, "hot", {{"/fields/f0", i}}, ts,
                                 stale ? Fate::discarded : Fate::success, i, i + 0.5));
        if (!stale)
            applied.push_back(op_id);
    }
    ServerResource server = resource("hot", chain(applied), json::object());
    server.final_body = json{{"fields", {{"f0", stamped(kOps - 2, kOps - 2)}}}};
    h.resources.emplace("hot", std::move(server));

    const Stopwatch watch;
    const CheckReport report = check_history(h);
    std::printf("[ checker ] %zu register ops on one resource checked in %.3f s (cpu %.3f s)\n",
                h.ops.size(), watch.wall_s(), watch.cpu_s());
    EXPECT_TRUE(report.clean()) << to_json(report).dump();
    EXPECT_EQ(report.discarded, static_cast<std::uint64_t>(kOps / 2));
}

}  // namespace
}  // namespace conflictlab::harness::testing
