#include <gtest/gtest.h>

#include "conflictlab/service/trigger.hpp"

namespace conflictlab::service {
namespace {

WebhookEvent event(std::string type, std::string status) {
    WebhookEvent e;
    e.type = std::move(type);
    e.status = std::move(status);
    return e;
}

TEST(Trigger, Default_IgnoresStatusIgnored) {
    const auto d = evaluate_trigger({}, event("updated", "ignored"));
    EXPECT_FALSE(d.process);
    EXPECT_EQ(d.reason, "status \"ignored\" is ignored");
}

TEST(Trigger, Default_IgnoresReadAndHeartbeatTypes) {
    EXPECT_FALSE(evaluate_trigger({}, event("read", "active")).process);
    EXPECT_FALSE(evaluate_trigger({}, event("heartbeat", "")).process);
}

TEST(Trigger, Default_ProcessesOrdinaryEvents) {
    EXPECT_TRUE(evaluate_trigger({}, event("updated", "active")).process);
    EXPECT_TRUE(evaluate_trigger({}, event("", "")).process);
}

TEST(Trigger, ComparisonsAreCaseSensitive) {
    EXPECT_TRUE(evaluate_trigger({}, event("Read", "Ignored")).process);
}

TEST(Trigger, ProcessTypes_IsAnAllowList) {
    TriggerOptions o;
    o.process_types = {"updated", "created"};
    EXPECT_TRUE(evaluate_trigger(o, event("created", "")).process);
    const auto d = evaluate_trigger(o, event("deleted", ""));
    EXPECT_FALSE(d.process);
    EXPECT_EQ(d.reason, "type \"deleted\" is not in process_types");
}

TEST(Trigger, FromJson_OverridesAndKeepsDefaults) {
    const auto o = trigger_options_from_json({{"ignore_types", {"ping"}}});
    EXPECT_EQ(o.ignore_types, std::vector<std::string>{"ping"});
    EXPECT_EQ(o.ignore_statuses, std::vector<std::string>{"ignored"});
}

TEST(Trigger, FromJson_UnknownFieldIsAnError) {
    try {
        (void)trigger_options_from_json({{"ignore_type", {"ping"}}});
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "trigger.ignore_type: unknown field");
    }
}

TEST(Trigger, FromJson_NonStringListIsAnError) {
    EXPECT_THROW((void)trigger_options_from_json({{"ignore_statuses", {1}}}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace conflictlab::service
