#include "conflictlab/engine/jsonl_outcome_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

#include "test_outcomes.hpp"

using namespace conflictlab::engine;
using namespace conflictlab::engine::testing;
namespace fs = std::filesystem;

namespace {

fs::path temp_file() {
    return fs::temp_directory_path() /
           ("conflictlab_jsonl_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl");
}

std::vector<std::string> lines_of(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

}  // namespace

TEST(JsonlOutcomeLog, OneToJsonPerLine) {
    fs::path p = temp_file();
    fs::remove(p);
    Outcome a = resolved_outcome("res-a", "op-1");
    Outcome b = failed_outcome("res-b", "op-2");
    {
        JsonlOutcomeLog log({.path = p.string()});
        log.record(a);
        log.record(b);
        log.flush();
        // Flushed means on disk for another reader, before the log closes.
        auto lines = lines_of(p);
        ASSERT_EQ(lines.size(), 2u);
        EXPECT_EQ(nlohmann::json::parse(lines[0]), to_json(a));
        EXPECT_EQ(nlohmann::json::parse(lines[1]), to_json(b));
        EXPECT_EQ(log.lines_written(), 2u);
    }
    fs::remove(p);
}

TEST(JsonlOutcomeLog, AppendsUnlessTruncate) {
    fs::path p = temp_file();
    fs::remove(p);
    { JsonlOutcomeLog({.path = p.string()}).record(success_outcome("a", "1")); }
    { JsonlOutcomeLog({.path = p.string()}).record(success_outcome("a", "2")); }
    EXPECT_EQ(lines_of(p).size(), 2u);
    { JsonlOutcomeLog({.path = p.string(), .truncate = true}).record(success_outcome("a", "3")); }
    EXPECT_EQ(lines_of(p).size(), 1u);
    fs::remove(p);
}

TEST(JsonlOutcomeLog, ConcurrentWritersProduceWholeLines) {
    fs::path p = temp_file();
    fs::remove(p);
    {
        JsonlOutcomeLog log({.path = p.string(), .queue_capacity = 32, .batch_lines_max = 16});
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&log, t] {
                for (int i = 0; i < 300; ++i) {
                    log.record(resolved_outcome("r", std::to_string(t) + "-" + std::to_string(i)));
                }
            });
        }
        for (auto& th : threads)
            th.join();
    }
    std::set<std::string> ops;
    for (const auto& line : lines_of(p))
        ops.insert(nlohmann::json::parse(line)["op_id"].get<std::string>());
    EXPECT_EQ(ops.size(), 1200u);
    fs::remove(p);
}

TEST(JsonlOutcomeLog, UnopenablePathIsAClearError) {
    try {
        JsonlOutcomeLog log({.path = "/nonexistent-dir/x.jsonl"});
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "outcome log /nonexistent-dir/x.jsonl: cannot open: No such file or directory");
    }
}
