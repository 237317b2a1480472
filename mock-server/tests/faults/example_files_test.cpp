// The rule files shipped in scenarios/faults/ and the example in
// docs/fault-rules.md are valid: people copy them, so they must parse.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "conflictlab/mock/faults/fault_rules.hpp"

namespace conflictlab::mock {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

TEST(FaultRuleExamples, ScenarioFaultFilesParse) {
    const fs::path dir = fs::path(CONFLICTLAB_SOURCE_DIR) / "scenarios" / "faults";
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") {
            continue;
        }
        SCOPED_TRACE(entry.path().string());
        ++files;
        const auto doc = nlohmann::json::parse(read_text(entry.path()));
        const FaultRuleSet set = parse_fault_rules(doc);
        EXPECT_TRUE(set.seed) << "example files pin their seed";
        EXPECT_FALSE(set.rules.empty());
        EXPECT_EQ(parse_fault_rules(to_json(set)), set);
    }
    EXPECT_GE(files, 5);
}

// The first ```json block of docs/fault-rules.md is the documented example.
TEST(FaultRuleExamples, DocumentedExampleParses) {
    const std::string text =
        read_text(fs::path(CONFLICTLAB_SOURCE_DIR) / "docs" / "fault-rules.md");
    const auto begin = text.find("```json\n");
    ASSERT_NE(begin, std::string::npos);
    const auto end = text.find("```", begin + 8);
    ASSERT_NE(end, std::string::npos);
    const FaultRuleSet set =
        parse_fault_rules(nlohmann::json::parse(text.substr(begin + 8, end - begin - 8)));
    ASSERT_EQ(set.rules.size(), 5u);
    EXPECT_EQ(set.rules[0].name, "conflict-storm");
    EXPECT_EQ(set.seed, 42u);
}

}  // namespace
}  // namespace conflictlab::mock
