#include "conflictlab/engine/monitor.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "conflictlab/common/http_date.hpp"
#include "test_outcomes.hpp"

using namespace conflictlab;
using namespace conflictlab::engine;
using namespace conflictlab::engine::testing;

namespace {

// Collects log lines; thread-safe.
struct Lines {
    std::mutex mutex;
    std::vector<std::string> lines;
    std::function<void(std::string_view)> sink() {
        return [this](std::string_view l) {
            std::lock_guard lock(mutex);
            lines.emplace_back(l);
        };
    }
};

}  // namespace

TEST(Monitor, ConflictLogLineFormat) {
    WallTime t = *parse_rfc3339("2026-11-27T10:00:00.123Z");
    auto j = nlohmann::json::parse(conflict_log_line(resolved_outcome("res-a", "op-1"), t));
    EXPECT_EQ(j, nlohmann::json::parse(R"({
        "ts":"2026-11-27T10:00:00.123Z","event":"conflict","resource":"res-a",
        "correlation_id":"corr-op-1","writer_id":"w1","op_id":"op-1","kind":"resolved",
        "reason":"none","path":"refetch>merge>retry","statuses":[412,200,200],
        "conflicts":1,"attempts":2})"));
}

TEST(Monitor, CountsOutcomesAndLogsOnlyConflicts) {
    Lines lines;
    Monitor m({.log_line = lines.sink()});
    m.record(resolved_outcome("a", "1"));
    m.record(resolved_outcome("a", "2"));
    m.record(failed_outcome("b", "3"));
    m.record(success_outcome("c", "4"));
    m.flush();
    MonitorSnapshot s = m.snapshot();
    EXPECT_EQ(s.outcomes_total, 4u);
    EXPECT_EQ(s.outcomes_by_kind.at("resolved"), 2u);
    EXPECT_EQ(s.outcomes_by_kind.at("failed"), 1u);
    EXPECT_EQ(s.outcomes_by_kind.at("success"), 1u);
    EXPECT_EQ(s.outcomes_by_kind.at("discarded"), 0u);
    EXPECT_EQ(s.outcomes_by_path.at("direct"), 1u);
    EXPECT_EQ(s.outcomes_by_path.at("refetch>merge>retry"), 2u);
    EXPECT_EQ(s.failures_by_reason.at("persistent-conflict"), 1u);
    EXPECT_EQ(s.conflicts_total, 5u);  // 1 + 1 + 3
    EXPECT_EQ(s.conflicted_outcomes_total, 3u);
    ASSERT_EQ(s.top_resources.size(), 2u);
    EXPECT_EQ(s.top_resources[0], (std::pair<std::string, std::uint64_t>{"b", 3}));
    EXPECT_EQ(s.top_resources[1], (std::pair<std::string, std::uint64_t>{"a", 2}));
    EXPECT_EQ(s.conflict_log_lines, 3u);
    EXPECT_EQ(lines.lines.size(), 3u);
    for (const auto& l : lines.lines)
        EXPECT_EQ(nlohmann::json::parse(l)["event"], "conflict");
    EXPECT_EQ(s.events_dropped, 0u);
}

TEST(Monitor, DropsAndCountsWhenTheQueueIsFull) {
    // The log writer blocks on the first line until released, so the queue
    // fills up behind it; record() must return anyway.
    std::mutex mutex;
    std::condition_variable cv;
    bool entered = false, release = false;
    MonitorOptions options;
    options.queue_capacity = 2;
    options.log_line = [&](std::string_view) {
        std::unique_lock lock(mutex);
        entered = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
    };
    Monitor m(options);
    m.record(resolved_outcome("a", "0"));  // taken by the worker, blocks in log_line
    {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return entered; });
    }
    for (int i = 1; i <= 10; ++i)
        m.record(resolved_outcome("a", std::to_string(i)));
    EXPECT_EQ(m.snapshot().events_dropped, 8u);  // 2 queued, 8 dropped
    {
        std::lock_guard lock(mutex);
        release = true;
    }
    cv.notify_all();
    m.flush();
    MonitorSnapshot s = m.snapshot();
    EXPECT_EQ(s.outcomes_total, 3u);
    EXPECT_EQ(s.events_dropped, 8u);
}

TEST(Monitor, LabelSetsAreBounded) {
    Lines lines;
    Monitor m({.top_resources = 2,
               .tracked_resources_max = 2,
               .label_values_max = 2,
               .log_line = lines.sink()});
    for (int i = 0; i < 5; ++i) {
        Outcome o = resolved_outcome("r" + std::to_string(i), std::to_string(i));
        o.path = "p" + std::to_string(i);
        m.record(o);
    }
    m.flush();
    MonitorSnapshot s = m.snapshot();
    EXPECT_EQ(s.outcomes_by_path.size(), 3u);  // p0, p1, (other)
    EXPECT_EQ(s.outcomes_by_path.at("(other)"), 3u);
    ASSERT_EQ(s.top_resources.size(), 2u);
    EXPECT_EQ(s.top_resources[0], (std::pair<std::string, std::uint64_t>{"(other)", 3}));
}

TEST(Monitor, PrometheusTextExposition) {
    Lines lines;
    Monitor m({.log_line = lines.sink()});
    Outcome o = failed_outcome("res \"q\"", "1");
    m.record(o);
    m.record(success_outcome("x", "2"));
    m.flush();
    std::string text = m.prometheus_text();
    EXPECT_NE(text.find("# TYPE conflictlab_engine_outcomes_total counter\n"), std::string::npos);
    EXPECT_NE(text.find("conflictlab_engine_outcomes_total{kind=\"failed\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("conflictlab_engine_outcomes_total{kind=\"discarded\"} 0\n"),
              std::string::npos);
    EXPECT_NE(text.find("conflictlab_engine_failures_total{reason=\"persistent-conflict\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("conflictlab_engine_outcome_paths_total{path=\"direct\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("conflictlab_engine_conflicts_total 3\n"), std::string::npos);
    EXPECT_NE(
        text.find("conflictlab_engine_resource_conflicts_total{resource=\"res \\\"q\\\"\"} 3\n"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("conflictlab_engine_monitor_events_dropped_total 0\n"), std::string::npos);
}
