// AlertSender against a scripted local webhook: delivery, Retry-After,
// non-retryable statuses, rate limiting with a summary, queue bound.
#include "conflictlab/engine/alert_sender.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include "../drivers/canned_server.hpp"

using namespace conflictlab;
using namespace conflictlab::engine;
using namespace conflictlab::engine::testing;
using namespace std::chrono_literals;

namespace {

Outcome failed(const std::string& op) {
    Outcome o;
    o.kind = OutcomeKind::failed;
    o.reason = FailureReason::deleted;
    o.resource_id = "res-" + op;
    o.op_id = op;
    o.alert = true;
    return o;
}

std::vector<CannedRequest> posts(const CannedServer& s) {
    std::vector<CannedRequest> out;
    for (auto& r : s.requests()) {
        if (r.method == "POST")
            out.push_back(r);
    }
    return out;
}

}  // namespace

TEST(AlertSender, PostsTheCardToTheWebhookPath) {
    CannedServer hook([](const CannedRequest&) { return CannedReply{http_response(200, "1")}; });
    AlertSender sender({.webhook_url = hook.base_url() + "/webhookb2/abc/IncomingWebhook/x/"});
    sender.record(failed("1"));
    Outcome fine;
    fine.kind = OutcomeKind::success;
    sender.record(fine);  // no alert flag: ignored
    ASSERT_TRUE(sender.wait_idle(10s));
    auto p = posts(hook);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].target, "/webhookb2/abc/IncomingWebhook/x/");  // exact, trailing slash kept
    EXPECT_EQ(p[0].headers.at("content-type"), "application/json");
    auto body = nlohmann::json::parse(p[0].body);
    EXPECT_EQ(body, adaptive_card(failed("1")));
    AlertSenderStats s = sender.stats();
    EXPECT_EQ(s.alerts, 1u);
    EXPECT_EQ(s.sent, 1u);
    EXPECT_EQ(s.last_status, 200);
}

TEST(AlertSender, HonoursRetryAfterOn429) {
    std::atomic<int> n{0};
    CannedServer hook([&](const CannedRequest&) {
        if (n++ == 0)
            return CannedReply{http_response(429, "", {{"Retry-After", "1"}})};
        return CannedReply{http_response(202)};
    });
    AlertSender sender({.webhook_url = hook.base_url() + "/hook"});
    auto start = std::chrono::steady_clock::now();
    sender.record(failed("1"));
    ASSERT_TRUE(sender.wait_idle(10s));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 950ms);
    EXPECT_EQ(posts(hook).size(), 2u);
    EXPECT_EQ(sender.stats().sent, 1u);
    EXPECT_EQ(sender.stats().retries, 1u);
}

TEST(AlertSender, GivesUpAfterMaxAttemptsOn5xx) {
    CannedServer hook([](const CannedRequest&) { return CannedReply{http_response(500)}; });
    AlertSender sender({.webhook_url = hook.base_url() + "/hook",
                        .max_attempts = 3,
                        .backoff = {.kind = BackoffKind::constant, .base_ms = 10, .cap_ms = 10}});
    sender.record(failed("1"));
    ASSERT_TRUE(sender.wait_idle(10s));
    EXPECT_EQ(posts(hook).size(), 3u);
    EXPECT_EQ(sender.stats().failed, 1u);
    EXPECT_EQ(sender.stats().retries, 2u);
}

TEST(AlertSender, Non429ClientErrorIsNotRetried) {
    CannedServer hook([](const CannedRequest&) { return CannedReply{http_response(400)}; });
    AlertSender sender({.webhook_url = hook.base_url() + "/hook"});
    sender.record(failed("1"));
    ASSERT_TRUE(sender.wait_idle(10s));
    EXPECT_EQ(posts(hook).size(), 1u);
    EXPECT_EQ(sender.stats().failed, 1u);
    EXPECT_EQ(sender.stats().last_status, 400);
}

TEST(AlertSender, RateLimitSuppressesThenSendsOneSummary) {
    CannedServer hook([](const CannedRequest&) { return CannedReply{http_response(200)}; });
    // Burst 2, then one token every 100 ms.
    AlertSender sender({.webhook_url = hook.base_url() + "/hook", .per_minute = 600, .burst = 2});
    for (int i = 0; i < 7; ++i)
        sender.record(failed(std::to_string(i)));
    AlertSenderStats s = sender.stats();
    EXPECT_EQ(s.alerts, 7u);
    EXPECT_EQ(s.suppressed, 5u);
    // The summary goes out once a token is back (about 100 ms).
    for (int i = 0; i < 300 && sender.stats().summaries_sent == 0; ++i)
        std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(sender.wait_idle(10s));
    s = sender.stats();
    EXPECT_EQ(s.sent, 3u);
    EXPECT_EQ(s.summaries_sent, 1u);
    auto p = posts(hook);
    ASSERT_EQ(p.size(), 3u);
    auto summary = nlohmann::json::parse(p[2].body);
    EXPECT_EQ(summary["attachments"][0]["content"]["body"][0]["text"],
              "Conflict Lab: 5 alerts suppressed by rate limiting");
}

TEST(AlertSender, BoundedQueueDropsWhenTheWebhookIsStuck) {
    CannedServer hook([](const CannedRequest&) { return CannedReply{"", Fate::hang}; });
    AlertSender sender({.webhook_url = hook.base_url() + "/hook",
                        .per_minute = 6000,
                        .burst = 100,
                        .queue_capacity = 3,
                        .max_attempts = 1,
                        .request_timeout = 300ms,
                        .close_grace = 100ms});
    for (int i = 0; i < 10; ++i)
        sender.record(failed(std::to_string(i)));
    EXPECT_EQ(sender.stats().dropped, 7u);
    EXPECT_EQ(sender.stats().queued_now, 3u);
}

TEST(AlertSender, WebhookUrlErrorsDoNotLeakThePath) {
    try {
        AlertSender s({.webhook_url = "https://h:0/webhookb2/SECRET"});
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).find("SECRET"), std::string::npos) << e.what();
        EXPECT_TRUE(std::string(e.what()).starts_with("alerts.webhook_url: ")) << e.what();
    }
}
