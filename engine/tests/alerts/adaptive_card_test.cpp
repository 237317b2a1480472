#include "conflictlab/engine/adaptive_card.hpp"

#include <gtest/gtest.h>

#include "conflictlab/common/http_date.hpp"

using namespace conflictlab;
using namespace conflictlab::engine;

namespace {

Outcome failed() {
    Outcome o;
    o.kind = OutcomeKind::failed;
    o.reason = FailureReason::persistent_conflict;
    o.path = "refetch>merge>retry>refetch>merge>retry";
    o.detail = "still conflicting after 3 attempts";
    o.resource_id = "order-42";
    o.correlation_id = "corr-1";
    o.writer_id = "w7";
    o.op_id = "op-9";
    o.attempts = 3;
    o.conflicts = 3;
    o.statuses = {412, 200, 412, 200, 412};
    o.token_before = "\"v1\"";
    o.delta = nlohmann::json{{"desired", {{"qty", 2}}},
                             {"current", {{"qty", 5}}},
                             {"patch", {{{"op", "replace"}, {"path", "/qty"}, {"value", 2}}}}};
    o.alert = true;
    return o;
}

const nlohmann::json& content_of(const nlohmann::json& message) {
    return message.at("attachments").at(0).at("content");
}

std::string fact(const nlohmann::json& message, const std::string& title) {
    for (const auto& block : content_of(message).at("body")) {
        if (block.at("type") != "FactSet")
            continue;
        for (const auto& f : block.at("facts")) {
            if (f.at("title") == title)
                return f.at("value").get<std::string>();
        }
    }
    return "(missing)";
}

}  // namespace

TEST(AdaptiveCard, TeamsMessageEnvelopeAndSchema) {
    nlohmann::json m = adaptive_card(failed());
    EXPECT_EQ(m.at("type"), "message");
    ASSERT_EQ(m.at("attachments").size(), 1u);
    const auto& a = m.at("attachments").at(0);
    EXPECT_EQ(a.at("contentType"), "application/vnd.microsoft.card.adaptive");
    EXPECT_TRUE(a.at("contentUrl").is_null());
    const auto& c = a.at("content");
    EXPECT_EQ(c.at("$schema"), "http://adaptivecards.io/schemas/adaptive-card.json");
    EXPECT_EQ(c.at("type"), "AdaptiveCard");
    EXPECT_EQ(c.at("version"), "1.4");
    const auto& body = c.at("body");
    ASSERT_GE(body.size(), 4u);
    EXPECT_EQ(body[0].at("type"), "TextBlock");
    EXPECT_EQ(body[0].at("text"), "Conflict Lab: update failed (persistent-conflict) on order-42");
    EXPECT_EQ(body[0].at("weight"), "Bolder");
}

TEST(AdaptiveCard, FactsCarryTheOutcome) {
    nlohmann::json m = adaptive_card(failed());
    EXPECT_EQ(fact(m, "Resource"), "order-42");
    EXPECT_EQ(fact(m, "Reason"), "persistent-conflict");
    EXPECT_EQ(fact(m, "Attempts"), "3");
    EXPECT_EQ(fact(m, "Conflicts"), "3");
    EXPECT_EQ(fact(m, "Correlation id"), "corr-1");
    EXPECT_EQ(fact(m, "Path"), "refetch>merge>retry>refetch>merge>retry");
    EXPECT_EQ(fact(m, "Statuses"), "412, 200, 412, 200, 412");
    EXPECT_EQ(fact(m, "Writer"), "w7");
    EXPECT_EQ(fact(m, "Event"), "(none)");  // empty values are spelled out
    EXPECT_EQ(fact(m, "Token before"), "\"v1\"");
    EXPECT_EQ(fact(m, "Token after"), "(none)");
}

TEST(AdaptiveCard, DeltaAsMonospaceJson) {
    nlohmann::json m = adaptive_card(failed());
    const auto& body = content_of(m).at("body");
    const auto& last = body.back();
    EXPECT_EQ(last.at("fontType"), "Monospace");
    EXPECT_EQ(nlohmann::json::parse(last.at("text").get<std::string>()), *failed().delta);
}

TEST(AdaptiveCard, DeltaTruncatedToTheBound) {
    Outcome o = failed();
    o.delta = nlohmann::json{{"desired", std::string(10'000, 'x')}};
    nlohmann::json m = adaptive_card(o, {.delta_chars_max = 100});
    std::string text = content_of(m).at("body").back().at("text");
    EXPECT_LT(text.size(), 200u);
    EXPECT_NE(text.find("(truncated: 100 of "), std::string::npos) << text;
    // The whole message stays well under Teams' ~28 KB limit.
    EXPECT_LT(m.dump().size(), 8'000u);
}

TEST(AdaptiveCard, TruncateTextKeepsUtf8Whole) {
    // "é" is two bytes; cutting after 3 bytes would split the second one.
    std::string t = truncate_text("aéé", 4);
    EXPECT_EQ(t.substr(0, 3), "a\xC3\xA9");
    EXPECT_EQ(t.substr(3, 3), "\u2026");
    EXPECT_EQ(truncate_text("short", 10), "short");
}

TEST(AdaptiveCard, SuppressedSummary) {
    WallTime since = *parse_rfc3339("2026-11-27T10:00:00.000Z");
    nlohmann::json m = suppressed_alerts_card(12, since);
    EXPECT_EQ(content_of(m).at("version"), "1.4");
    EXPECT_EQ(content_of(m).at("body")[0].at("text"),
              "Conflict Lab: 12 alerts suppressed by rate limiting");
    EXPECT_EQ(fact(m, "Suppressed"), "12");
    EXPECT_EQ(fact(m, "Since"), "2026-11-27T10:00:00.000Z");
}
