// FaultInjector: each `then` action lands in the FaultDecision the handler
// applies, and the actions of several firing rules compose as documented.

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "conflictlab/mock/faults/fault_injector.hpp"
#include "fault_test_support.hpp"

namespace conflictlab::mock {
namespace {

using namespace conflictlab::mock::testing;
using nlohmann::json;
using std::chrono::milliseconds;

FaultDecision decide(const json& then, std::uint64_t seed = 1) {
    FaultInjector inj(seed);
    inj.replace(one_rule({{"name", "r"}, {"then", then}}), t0);
    return inj.evaluate(put("a").facts(), t0);
}

TEST(FaultActions, StatusAloneAnswersWithItAndNothingElse) {
    const FaultDecision d = decide({{"status", 409}});
    EXPECT_EQ(d.status, 409);
    EXPECT_FALSE(d.retry_after);
    EXPECT_FALSE(d.retry_after_date_in);
    EXPECT_FALSE(d.body);
    EXPECT_EQ(d.delay, milliseconds{0});
    EXPECT_FALSE(d.delete_resource);
    EXPECT_FALSE(d.foreign_write_merge_patch);
    EXPECT_FALSE(d.switch_etag_style);
    EXPECT_FALSE(d.switch_etag_scheme);
    EXPECT_EQ(d.fate, ConnectionFate::respond);
    EXPECT_EQ(d.fired_rules, std::vector<std::string>{"r"});
}

// RFC 9110 10.2.3: Retry-After = HTTP-date / delay-seconds.
TEST(FaultActions, RetryAfterSecondsIsSentVerbatim) {
    const FaultDecision d = decide({{"status", 429}, {"retry_after_s", 2}});
    EXPECT_EQ(d.retry_after, "2");
    EXPECT_FALSE(d.retry_after_date_in);
}

TEST(FaultActions, RetryAfterDateStringIsSentVerbatim) {
    const FaultDecision d =
        decide({{"status", 503}, {"retry_after_date", "Sunday, 06-Nov-94 08:49:37 GMT"}});
    EXPECT_EQ(d.retry_after, "Sunday, 06-Nov-94 08:49:37 GMT");
}

TEST(FaultActions, RetryAfterDateInSecondsIsLeftToTheHandlerToFormat) {
    const FaultDecision d = decide({{"status", 503}, {"retry_after_date", {{"in_s", 5}}}});
    EXPECT_FALSE(d.retry_after);
    EXPECT_EQ(d.retry_after_date_in, std::chrono::seconds{5});
}

TEST(FaultActions, BodyIsCarriedAsJson) {
    const json body = {{"error", "conflict"}, {"ids", {1, 2}}};
    EXPECT_EQ(decide({{"status", 409}, {"body", body}}).body, body);
}

TEST(FaultActions, StoreActions) {
    EXPECT_TRUE(decide({{"delete_resource", true}}).delete_resource);
    EXPECT_EQ(decide({{"foreign_write", {{"merge_patch", {{"owner", "other"}}}}}})
                  .foreign_write_merge_patch,
              (json{{"owner", "other"}}));
    EXPECT_EQ(decide({{"switch_etag_style", "weak"}}).switch_etag_style, EtagStyle::weak);
    EXPECT_EQ(decide({{"switch_etag_style", "unquoted"}}).switch_etag_style, EtagStyle::unquoted);
    EXPECT_EQ(decide({{"switch_etag_style", "strong"}}).switch_etag_style, EtagStyle::strong);
    EXPECT_EQ(decide({{"switch_etag_scheme", "uuid"}}).switch_etag_scheme, EtagScheme::uuid);
    EXPECT_EQ(decide({{"switch_etag_scheme", "hash"}}).switch_etag_scheme, EtagScheme::hash);
    EXPECT_EQ(decide({{"switch_etag_scheme", "counter"}}).switch_etag_scheme, EtagScheme::counter);
    const FaultDecision doomed = decide({{"delete_resource", true}, {"status", 409}});
    EXPECT_TRUE(doomed.delete_resource);
    EXPECT_EQ(doomed.status, 409);
}

TEST(FaultActions, ConnectionFates) {
    EXPECT_EQ(decide({{"connection", "reset"}}).fate, ConnectionFate::reset);
    EXPECT_EQ(decide({{"connection", "close"}}).fate, ConnectionFate::close_silently);
    EXPECT_EQ(decide({{"connection", "hang"}}).fate, ConnectionFate::hang);
}

TEST(FaultActions, FixedDelayRoundsToWholeMilliseconds) {
    EXPECT_EQ(decide({{"delay_ms", 250}}).delay, milliseconds{250});
    EXPECT_EQ(decide({{"delay_ms", 12.5}}).delay, milliseconds{13});
    EXPECT_EQ(decide({{"delay_ms", 0}}).delay, milliseconds{0});
}

// Samples `n` delays of one rule.
std::vector<long> delays(const json& delay_ms, int n, std::uint64_t seed = 11) {
    FaultInjector inj(seed);
    inj.replace(one_rule({{"name", "r"}, {"then", {{"delay_ms", delay_ms}}}}), t0);
    std::vector<long> out;
    for (int i = 0; i < n; ++i) {
        out.push_back(static_cast<long>(inj.evaluate(put("a").facts(), t0).delay.count()));
    }
    return out;
}

long median(std::vector<long> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2];
}

TEST(FaultActions, UniformDelayStaysWithinItsBounds) {
    const auto d = delays({{"uniform", {{"min", 20}, {"max", 40}}}}, 5000);
    EXPECT_EQ(*std::min_element(d.begin(), d.end()), 20);
    EXPECT_EQ(*std::max_element(d.begin(), d.end()), 40);
    EXPECT_NEAR(median(d), 30, 1);
}

TEST(FaultActions, NormalDelayIsClampedAtZero) {
    const auto d = delays({{"normal", {{"mean", 0}, {"stddev", 100}}}}, 5000);
    EXPECT_EQ(*std::min_element(d.begin(), d.end()), 0);
    const auto zeros = std::count(d.begin(), d.end(), 0L);
    EXPECT_GT(zeros, 2300);  // about half (2500 +- 35) are negative samples clamped to 0
    EXPECT_LT(zeros, 2700);
    const auto centred = delays({{"normal", {{"mean", 500}, {"stddev", 50}}}}, 5000);
    EXPECT_NEAR(median(centred), 500, 5);
}

TEST(FaultActions, LognormalDelayHasTheGivenMedian) {
    const auto d = delays({{"lognormal", {{"median", 50}, {"sigma", 0.5}}}}, 5000);
    EXPECT_NEAR(median(d), 50, 2);
    EXPECT_GE(*std::min_element(d.begin(), d.end()), 0);
}

TEST(FaultActions, EveryDelayIsCappedAt60s) {
    const auto d = delays({{"lognormal", {{"median", 60000}, {"sigma", 10}}}}, 200);
    EXPECT_EQ(*std::max_element(d.begin(), d.end()), 60000);
}

// ---- composition ----------------------------------------------------------

TEST(FaultComposition, FirstStatusWinsWithItsOwnRetryAfterAndBody) {
    FaultInjector inj(1);
    inj.replace(
        rules({{"rules",
                {{{"name", "conflict"}, {"then", {{"status", 409}}}},
                 {{"name", "busy"},
                  {"then", {{"status", 429}, {"retry_after_s", 3}, {"body", {{"x", 1}}}}}}}}}),
        t0);
    const FaultDecision d = inj.evaluate(put("a").facts(), t0);
    EXPECT_EQ(d.status, 409);
    EXPECT_FALSE(d.retry_after);
    EXPECT_FALSE(d.body);
    EXPECT_EQ(d.fired_rules, (std::vector<std::string>{"conflict", "busy"}));
    EXPECT_EQ(inj.firings_json(), (json{{"conflict", 1}, {"busy", 1}}));  // both counted
}

TEST(FaultComposition, ActionsOfAllFiringRulesCombine) {
    FaultInjector inj(1);
    inj.replace(
        rules({{"rules",
                {{{"name", "slow1"}, {"then", {{"delay_ms", 100}}}},
                 {{"name", "gone"}, {"match", {{"methods", {"GET"}}}}, {"then", {{"status", 410}}}},
                 {{"name", "foreign1"},
                  {"then",
                   {{"foreign_write", {{"merge_patch", {{"by", "one"}}}}},
                    {"switch_etag_style", "weak"}}}},
                 {{"name", "slow2"}, {"then", {{"delay_ms", 200}, {"connection", "reset"}}}},
                 {{"name", "foreign2"},
                  {"then",
                   {{"foreign_write", {{"merge_patch", {{"by", "two"}}}}},
                    {"switch_etag_style", "unquoted"},
                    {"switch_etag_scheme", "hash"},
                    {"delete_resource", true},
                    {"connection", "hang"},
                    {"status", 503}}}}}}}),
        t0);
    const FaultDecision d = inj.evaluate(put("a").facts(), t0);
    EXPECT_EQ(d.fired_rules, (std::vector<std::string>{"slow1", "foreign1", "slow2", "foreign2"}));
    EXPECT_EQ(d.delay, milliseconds{300});                          // delays add
    EXPECT_EQ(d.foreign_write_merge_patch, (json{{"by", "one"}}));  // first wins
    EXPECT_EQ(d.switch_etag_style, EtagStyle::weak);                // first wins
    EXPECT_EQ(d.switch_etag_scheme, EtagScheme::hash);              // the only one
    EXPECT_TRUE(d.delete_resource);                                 // any
    EXPECT_EQ(d.fate, ConnectionFate::reset);                       // first non-respond
    EXPECT_EQ(d.status, 503);                                       // the only firing status
}

TEST(FaultComposition, SummedDelaysAreCappedAt60s) {
    FaultInjector inj(1);
    inj.replace(rules({{"rules",
                        {{{"name", "a"}, {"then", {{"delay_ms", 40000}}}},
                         {{"name", "b"}, {"then", {{"delay_ms", 40000}}}}}}}),
                t0);
    EXPECT_EQ(inj.evaluate(put("a").facts(), t0).delay, milliseconds{60000});
}

// Every rule sees every request: one rule firing does not stop the others
// from counting it.
TEST(FaultComposition, EachRuleCountsIndependently) {
    FaultInjector inj(1);
    inj.replace(
        rules({{"rules",
                {{{"name", "always"}, {"then", {{"status", 409}}}},
                 {{"name", "third"}, {"when", {{"nth", 3}}}, {"then", {{"status", 500}}}}}}}),
        t0);
    inj.evaluate(put("a").facts(), t0);
    inj.evaluate(put("a").facts(), t0);
    EXPECT_EQ(inj.evaluate(put("a").facts(), t0).fired_rules,
              (std::vector<std::string>{"always", "third"}));
}

}  // namespace
}  // namespace conflictlab::mock
