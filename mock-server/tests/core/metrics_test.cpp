// /metrics: Prometheus text exposition format 0.0.4.

#include "test_support.hpp"

#include "stats.hpp"

namespace conflictlab::mock::testing {
namespace {

class Metrics : public CoreTest {
  protected:
    std::string scrape() {
        const auto r = get("/metrics");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(header(r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
        return r.body;
    }
    static bool has_line(const std::string& text, const std::string& line) {
        return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
    }
};

TEST_F(Metrics, EveryFamilyHasHelpAndType) {
    const std::string text = scrape();
    for (const char* family :
         {"conflictlab_mock_requests_total", "conflictlab_mock_conflicts_total",
          "conflictlab_mock_request_duration_seconds", "conflictlab_mock_fault_firings_total"}) {
        EXPECT_NE(text.find(std::string("# HELP ") + family + " "), std::string::npos) << family;
        EXPECT_NE(text.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
    }
    EXPECT_TRUE(has_line(text, "# TYPE conflictlab_mock_request_duration_seconds histogram"));
    EXPECT_EQ(text.back(), '\n');
}

TEST_F(Metrics, RequestsAndConflictsAreCounted) {
    create("a");
    put("/resources/a", {{"n", 1}}, {{"If-Match", "\"stale\""}});
    put("/resources/a", {{"n", 1}}, {{"If-Match", "\"stale\""}});
    const std::string text = scrape();
    EXPECT_TRUE(has_line(text, R"(conflictlab_mock_requests_total{method="PUT",status="201"} 1)"))
        << text;
    EXPECT_TRUE(has_line(text, R"(conflictlab_mock_requests_total{method="PUT",status="412"} 2)"));
    EXPECT_TRUE(has_line(text, R"(conflictlab_mock_conflicts_total{kind="412"} 2)"));
    EXPECT_TRUE(has_line(text, R"(conflictlab_mock_conflicts_total{kind="busy"} 0)"));
    EXPECT_TRUE(has_line(text, "conflictlab_mock_resources 1"));
}

TEST_F(Metrics, ConflictKindsAreDistinguished) {
    CoreOptions o;
    o.require_precondition = true;
    o.busy_window = std::chrono::milliseconds(10);
    start(o);
    create("a");
    put("/resources/a", {{"n", 1}});                       // 428
    put("/resources/a", {{"n", 1}}, {{"If-Match", "*"}});  // busy
    clock_.advance(std::chrono::milliseconds(10));
    put("/resources/a", {{"n", 1}}, {{"If-Match", "\"old\""}});  // 412
    const std::string text = scrape();
    EXPECT_TRUE(has_line(text, R"(conflictlab_mock_conflicts_total{kind="428"} 1)"));
    EXPECT_TRUE(has_line(text, R"(conflictlab_mock_conflicts_total{kind="busy"} 1)"));
    EXPECT_TRUE(has_line(text, R"(conflictlab_mock_conflicts_total{kind="412"} 1)"));
    EXPECT_TRUE(has_line(text, R"(conflictlab_mock_conflicts_total{kind="409"} 0)"));
}

TEST_F(Metrics, DurationHistogramIsCumulative) {
    core().observe_latency("GET", 200, std::chrono::microseconds(50));  // <= 0.0001
    core().observe_latency("GET", 200, std::chrono::milliseconds(3));   // <= 0.005
    core().observe_latency("GET", 404, std::chrono::seconds(20));       // +Inf only
    const std::string text = scrape();
    const std::string b = "conflictlab_mock_request_duration_seconds_bucket{method=\"GET\",le=\"";
    EXPECT_TRUE(has_line(text, b + "0.0001\"} 1")) << text;
    EXPECT_TRUE(has_line(text, b + "0.0025\"} 1"));
    EXPECT_TRUE(has_line(text, b + "0.005\"} 2"));
    EXPECT_TRUE(has_line(text, b + "10\"} 2"));
    EXPECT_TRUE(has_line(text, b + "+Inf\"} 3"));
    EXPECT_TRUE(
        has_line(text, "conflictlab_mock_request_duration_seconds_count{method=\"GET\"} 3"));
    EXPECT_TRUE(
        has_line(text, "conflictlab_mock_request_duration_seconds_sum{method=\"GET\"} 20.00305"));
}

TEST_F(Metrics, FaultFiringsArePerRule) {
    const json rules = {{"rules",
                         {{{"name", "always-503"},
                           {"match", {{"methods", {"GET"}}}},
                           {"then", {{"status", 503}}}}}}};
    ASSERT_EQ(send("PUT", "/_admin/faults", rules.dump()).status, 200);
    get("/resources/a");
    get("/resources/a");
    EXPECT_TRUE(has_line(scrape(), R"(conflictlab_mock_fault_firings_total{rule="always-503"} 2)"));
}

TEST(MetricsLabels, ValuesAreEscaped) {
    EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    EXPECT_EQ(escape_label_value("plain"), "plain");
}

}  // namespace
}  // namespace conflictlab::mock::testing
