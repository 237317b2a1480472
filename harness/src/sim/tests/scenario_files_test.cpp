// Every simulation scenario shipped in scenarios/sim/ parses, including its
// `sim` model, so a format change breaks here and not in a user's hands.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/harness/sim/sim_model.hpp"

namespace conflictlab::harness::sim {
namespace {

namespace fs = std::filesystem;

TEST(SimScenarioFiles, EveryFileAndItsModelParse) {
    const fs::path dir = fs::path(CONFLICTLAB_SOURCE_DIR) / "scenarios" / "sim";
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json")
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    ASSERT_GE(files.size(), 3u);
    for (const auto& file : files) {
        try {
            const Scenario s = load_scenario_file(file.string());
            (void)parse_sim_model(s.sim, file.string());
            EXPECT_FALSE(s.expectations.empty()) << file << ": a shipped scenario shows its gates";
        } catch (const std::exception& e) {
            ADD_FAILURE() << e.what();
        }
    }
}

}  // namespace
}  // namespace conflictlab::harness::sim
