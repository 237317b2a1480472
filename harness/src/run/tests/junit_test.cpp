#include "conflictlab/harness/junit.hpp"

#include <gtest/gtest.h>

#include "run_fixtures.hpp"

namespace conflictlab::harness {
namespace {

TEST(XmlEscape, EscapesMarkupCharacters) {
    EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    EXPECT_EQ(xml_escape("line\nnext\ttab"), "line&#10;next&#9;tab");
}

TEST(XmlEscape, ReplacesCharactersXmlCannotCarry) {
    EXPECT_EQ(xml_escape(std::string("a\x01"
                                     "b",
                                     3)),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(xml_escape(std::string(1, '\0')), "\xEF\xBF\xBD");
    EXPECT_EQ(xml_escape("\xFF"), "\xEF\xBF\xBD");                                  // not UTF-8
    EXPECT_EQ(xml_escape("\xC3\xA9t\xC3\xA9"), "\xC3\xA9t\xC3\xA9");                // "été" kept
    EXPECT_EQ(xml_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST(Junit, OneTestcasePerExpectationPlusTheChecker) {
    RunResult r = testing::sample_result();
    ExpectationReport ok;
    ok.result.text = "lost_updates == 0";
    ok.result.passed = true;
    ok.result.measured = 0;
    ExpectationReport bad;
    bad.result.text = "outcomes.Failed < 1";
    bad.result.measured = 1;
    bad.result.detail = "outcomes.Failed is 1, expected < 1";
    bad.op_ids = {"w2-0"};
    r.expectations = {ok, bad};
    const std::string xml = render_junit(r);
    EXPECT_NE(xml.find("<testsuites name=\"conflictlab\" tests=\"3\" failures=\"1\""),
              std::string::npos);
    EXPECT_NE(xml.find("name=\"expect: outcomes.Failed &lt; 1\""), std::string::npos);
    EXPECT_NE(xml.find("<failure message=\"outcomes.Failed &lt; 1: measured 1\""),
              std::string::npos);
    EXPECT_NE(xml.find("ops involved: w2-0"), std::string::npos);
    EXPECT_NE(xml.find("name=\"checker: no lost updates\""), std::string::npos);
    EXPECT_NE(xml.find("testsuite name=\"quick &lt;&amp;&gt; &quot;start&quot;\""),
              std::string::npos);
}

TEST(Junit, CheckerAnomaliesFailTheCheckerCase) {
    RunResult r = testing::sample_result();
    r.check.anomalies_total = 1;
    r.check.lost_updates = 1;
    r.check.anomalies.push_back({"lost-update", "r-0", {"w1-0"}, {}, "element w1-0 missing"});
    const std::string xml = render_junit(r);
    EXPECT_NE(xml.find("failures=\"1\""), std::string::npos);
    EXPECT_NE(xml.find("lost-update r-0: element w1-0 missing (ops w1-0)"), std::string::npos);
}

}  // namespace
}  // namespace conflictlab::harness
