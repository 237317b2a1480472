// Golden files: the reports of committed results fixtures (a fixed-seed
// simulated run and a sweep), compared byte for byte with committed HTML
// and Markdown. Version and start time are normalised first, so the files
// change only when the rendering does. To accept a deliberate change:
//   CONFLICTLAB_UPDATE_GOLDEN=1 ./conflictlab_reports_tests --gtest_filter='Golden*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "conflictlab/reports/report.hpp"

namespace conflictlab::reports {
namespace {

const std::string kDir = CONFLICTLAB_REPORTS_TESTDATA;

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

nlohmann::json normalised(const std::string& fixture) {
    nlohmann::json j = load_results(kDir + "/fixtures/" + fixture);
    if (j.contains("version"))
        j["version"] = "0.0.0-golden";
    if (j.contains("started_at"))
        j["started_at"] = "1970-01-01T00:00:00.000Z";
    return j;
}

void check(const std::string& rendered, const std::string& golden_name) {
    const std::string path = kDir + "/golden/" + golden_name;
    if (std::getenv("CONFLICTLAB_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << rendered;
        GTEST_SKIP() << "rewrote " << path;
    }
    const std::string golden = read(path);
    ASSERT_FALSE(golden.empty()) << path << " is missing";
    if (rendered == golden)
        return;
    // Name the first differing line, not a 100 KB diff.
    std::istringstream a(rendered), b(golden);
    std::string la, lb;
    for (int line = 1;; ++line) {
        const bool more_a = static_cast<bool>(std::getline(a, la));
        const bool more_b = static_cast<bool>(std::getline(b, lb));
        if (!more_a && !more_b)
            break;
        if (la != lb || more_a != more_b) {
            FAIL() << golden_name << " differs at line " << line << "\n  rendered: " << la
                   << "\n  golden:   " << lb;
        }
    }
}

TEST(Golden, SimulatedRunHtml) {
    check(render_html(normalised("sim-run.json")), "sim-run.html");
}

TEST(Golden, SimulatedRunMarkdown) {
    check(render_markdown(normalised("sim-run.json")), "sim-run.md");
}

TEST(Golden, SweepHtml) {
    check(render_html(normalised("sweep.json")), "sweep.html");
}

TEST(Golden, SweepMarkdown) {
    check(render_markdown(normalised("sweep.json")), "sweep.md");
}

// The same input renders the same bytes (no clock, no locale, no map order).
TEST(Golden, RenderingIsDeterministic) {
    const nlohmann::json j = normalised("sim-run.json");
    EXPECT_EQ(render_html(j), render_html(j));
}

}  // namespace
}  // namespace conflictlab::reports
