// Bad input gets a clear error naming the problem, never a crash.
#include <gtest/gtest.h>

#include "conflictlab/reports/report.hpp"
#include "sample.hpp"

namespace conflictlab::reports {
namespace {

using testing::sample_run;

std::string error_of(const nlohmann::json& j) {
    try {
        (void)render_html(j);
    } catch (const ReportError& e) {
        // Markdown must reject it the same way.
        try {
            (void)render_markdown(j);
        } catch (const ReportError& e2) {
            EXPECT_STREQ(e.what(), e2.what());
        }
        return e.what();
    }
    return "no error";
}

TEST(BadInput, MalformedJsonNamesTheFileAndPosition) {
    try {
        (void)parse_results("{\"format\": ", "r.json");
        FAIL();
    } catch (const ReportError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("r.json: not JSON: parse error at line 1", 0), 0u)
            << e.what();
    }
}

TEST(BadInput, UnreadableFile) {
    EXPECT_THROW(
        {
            try {
                (void)load_results("/nonexistent/results.json");
            } catch (const ReportError& e) {
                EXPECT_STREQ(e.what(), "/nonexistent/results.json: cannot open the file");
                throw;
            }
        },
        ReportError);
}

TEST(BadInput, WrongFormat) {
    nlohmann::json j = sample_run();
    j["format"] = "junit";
    EXPECT_EQ(error_of(j),
              "/format: \"junit\" is not a results format this version reads "
              "(conflictlab-results/1, conflictlab-sweep/1)");
    j.erase("format");
    EXPECT_EQ(error_of(j), "/format: missing (not a conflictlab results file)");
    EXPECT_EQ(error_of(nlohmann::json::array()),
              "/: expected an object (a conflictlab results file)");
}

TEST(BadInput, MissingFieldNamedByPointer) {
    nlohmann::json j = sample_run();
    j["metrics"].erase("outcomes");
    EXPECT_EQ(error_of(j), "/metrics/outcomes: missing");
    j = sample_run();
    j["expectations"][1].erase("passed");
    EXPECT_EQ(error_of(j), "/expectations/1/passed: missing");
    j = sample_run();
    j.erase("checker");
    EXPECT_EQ(error_of(j), "/checker: missing");
}

TEST(BadInput, MistypedFieldNamedWithTypes) {
    nlohmann::json j = sample_run();
    j["seed"] = "42";
    EXPECT_EQ(error_of(j), "/seed: expected a non-negative integer, got a string");
    j = sample_run();
    j["metrics"]["outcomes"]["Failed"] = "two";
    EXPECT_EQ(error_of(j), "/metrics/outcomes/Failed: expected a number, got a string");
    j = sample_run();
    j["expectations"] = nlohmann::json::object();
    EXPECT_EQ(error_of(j), "/expectations: expected an array, got an object");
}

TEST(BadInput, InconsistentDashboardBuckets) {
    nlohmann::json j = sample_run();
    j["dashboard"]["latency_histogram"]["ops"] = {1, 2};
    EXPECT_EQ(error_of(j),
              "/dashboard/latency_histogram/ops: expected one more bucket than le_ms (the "
              "overflow bucket)");
    j = sample_run();
    j["dashboard"]["slot_s"] = 0;
    EXPECT_EQ(error_of(j), "/dashboard/slot_s: must be positive");
}

TEST(BadInput, SweepRunWithoutItsSetting) {
    nlohmann::json j = testing::sample_sweep();
    j["runs"][2]["setting"].erase("writers");
    EXPECT_EQ(error_of(j), "/runs/2/setting/writers: missing");
}

TEST(BadInput, PointerTokensAreEscaped) {
    nlohmann::json j = sample_run();
    j["metrics"]["outcomes"] = {{"a/b~c", "x"}};
    EXPECT_EQ(error_of(j), "/metrics/outcomes/a~1b~0c: expected a number, got a string");
}

}  // namespace
}  // namespace conflictlab::reports
