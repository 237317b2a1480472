// Every scenario file shipped in the source tree parses: the examples in
// scenarios/examples/ (documented in docs/scenarios.md) and the scenario
// library in scenarios/*.json. A file that stops parsing after a format
// change fails here, not in a user's CI.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "conflictlab/harness/scenario.hpp"
#ifdef CONFLICTLAB_HAVE_MOCK_CORE
#include "conflictlab/mock/core_options.hpp"
#endif

namespace conflictlab::harness {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> json_files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    if (!fs::is_directory(dir))
        return out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

const fs::path kScenarios = fs::path(CONFLICTLAB_SOURCE_DIR) / "scenarios";

// Parses the file; with the mock core in the build, also the embedded
// server's options (which parse_scenario passes through unchecked).
Scenario load_checked(const fs::path& file) {
    Scenario s = load_scenario_file(file.string());
#ifdef CONFLICTLAB_HAVE_MOCK_CORE
    if (s.target.kind == TargetKind::embedded) {
        try {
            (void)mock::parse_core_options(s.target.server);
        } catch (const std::invalid_argument& e) {
            ADD_FAILURE() << file << ": target.server: " << e.what();
        }
    }
#endif
    return s;
}

TEST(ScenarioExamples, ExamplesExistAndParse) {
    auto files = json_files_in(kScenarios / "examples");
    ASSERT_GE(files.size(), 2u) << "no examples in " << (kScenarios / "examples");
    for (const auto& file : files) {
        EXPECT_NO_THROW({
            try {
                Scenario s = load_checked(file);
                EXPECT_FALSE(s.expectations.empty()) << file << ": an example shows its gates";
            } catch (const ScenarioError& e) {
                ADD_FAILURE() << e.what();
                throw;
            }
        }) << file;
    }
}

TEST(ScenarioExamples, LibraryScenariosParse) {
    for (const auto& file : json_files_in(kScenarios)) {
        try {
            load_checked(file);
        } catch (const ScenarioError& e) {
            ADD_FAILURE() << e.what();
        }
    }
}

// docs/scenarios.md ends with a complete annotated example (the ```jsonc
// block); documentation that does not parse teaches the wrong format.
TEST(ScenarioExamples, DocumentedExampleParses) {
    const fs::path doc = fs::path(CONFLICTLAB_SOURCE_DIR) / "docs" / "scenarios.md";
    std::ifstream in(doc);
    ASSERT_TRUE(in) << doc;
    std::stringstream text;
    text << in.rdbuf();
    const std::string md = text.str();
    const std::string open = "```jsonc\n";
    auto start = md.rfind(open);  // the last one: earlier blocks are fragments
    ASSERT_NE(start, std::string::npos) << "no ```jsonc block in " << doc;
    start += open.size();
    auto end = md.find("```", start);
    ASSERT_NE(end, std::string::npos);
    try {
        Scenario s = parse_scenario(md.substr(start, end - start), "docs/scenarios.md");
        EXPECT_EQ(s.groups.size(), 2u);
        EXPECT_EQ(s.expectations.size(), 7u);
#ifdef CONFLICTLAB_HAVE_MOCK_CORE
        EXPECT_NO_THROW((void)mock::parse_core_options(s.target.server));
#endif
    } catch (const ScenarioError& e) {
        FAIL() << e.what();
    }
}

}  // namespace
}  // namespace conflictlab::harness
