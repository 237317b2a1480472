// The rule file reader: the documented example parses into the documented
// data, and every field rejects bad input with a message naming the rule, the
// field path and the reason (docs/fault-rules.md, "Validation errors").

#include <gtest/gtest.h>

#include <string>

#include "conflictlab/mock/faults/fault_rules.hpp"
#include "fault_test_support.hpp"

namespace conflictlab::mock {
namespace {

using nlohmann::json;

const json example_file = json::parse(R"({"seed": 42,
 "rules": [
   {"name": "conflict-storm", "match": {"methods": ["PUT", "PATCH"], "path": "/resources/hot-*"},
    "when": {"probability": 0.2}, "then": {"status": 409}},
   {"name": "throttle", "match": {"path": "/resources/*"},
    "when": {"every": 10}, "then": {"status": 429, "retry_after_s": 1}},
   {"name": "deleted-after-conflict", "match": {"methods": ["PUT"], "path": "/resources/doomed"},
    "when": {"nth": 1}, "then": {"delete_resource": true, "status": 409}},
   {"name": "foreign-writer", "match": {"methods": ["PUT"], "path": "/resources/shared"},
    "when": {"probability": 0.1}, "then": {"foreign_write": {"merge_patch": {"owner": "other"}}}},
   {"name": "slow-reads", "match": {"methods": ["GET"]},
    "when": {"probability": 0.05}, "then": {"delay_ms": {"lognormal": {"median": 50, "sigma": 0.5}}}}
 ]})");

// The message parse_fault_rules throws for `doc`, or "" when it accepts it.
std::string error_of(const json& doc) {
    try {
        parse_fault_rules(doc);
    } catch (const FaultRuleError& e) {
        return e.what();
    }
    return "";
}

// The message for a file holding `rule` as rules[0].
std::string rule_error(json rule) {
    return error_of({{"rules", json::array({std::move(rule)})}});
}

json with(json base, const json& patch) {
    base.merge_patch(patch);
    return base;
}

const json minimal_rule = {{"name", "r"}, {"then", {{"status", 409}}}};

TEST(FaultRulesParse, DocumentedExampleParsesIntoItsData) {
    const FaultRuleSet set = parse_fault_rules(example_file);
    ASSERT_EQ(set.seed, 42u);
    ASSERT_EQ(set.rules.size(), 5u);

    const FaultRule& storm = set.rules[0];
    EXPECT_EQ(storm.name, "conflict-storm");
    EXPECT_EQ(storm.match.methods, (std::vector<std::string>{"PUT", "PATCH"}));
    EXPECT_EQ(storm.match.path, "/resources/hot-*");
    EXPECT_EQ(storm.when.probability, 0.2);
    EXPECT_EQ(storm.then.status, 409);

    EXPECT_EQ(set.rules[1].when.every, 10u);
    EXPECT_EQ(set.rules[1].then.retry_after_s, 1);

    EXPECT_EQ(set.rules[2].when.nth, 1u);
    EXPECT_TRUE(set.rules[2].then.delete_resource);

    EXPECT_EQ(set.rules[3].then.foreign_write_merge_patch, (json{{"owner", "other"}}));

    ASSERT_TRUE(set.rules[4].then.delay_ms);
    EXPECT_EQ(*set.rules[4].then.delay_ms, (DelaySpec{LognormalDelay{50, 0.5}}));
}

TEST(FaultRulesParse, MatchAndWhenAreOptionalThenIsRequired) {
    const FaultRuleSet set = parse_fault_rules({{"rules", {minimal_rule}}});
    EXPECT_EQ(set.rules[0].match, RuleMatch{});
    EXPECT_EQ(set.rules[0].when, RuleWhen{});
    EXPECT_FALSE(set.seed);
    EXPECT_EQ(rule_error({{"name", "r"}}), "rules[0].then: required field is missing");
}

TEST(FaultRulesParse, EmptyRuleListIsValid) {
    EXPECT_TRUE(parse_fault_rules({{"rules", json::array()}}).rules.empty());
}

TEST(FaultRulesParse, ErrorCarriesRuleIndexFieldAndReason) {
    json doc = example_file;
    doc["rules"][2]["when"] = {{"probability", 1.5}};
    try {
        parse_fault_rules(doc);
        FAIL() << "accepted probability 1.5";
    } catch (const FaultRuleError& e) {
        EXPECT_STREQ(e.what(), "rules[2].when.probability: must be a number in [0, 1], got 1.5");
        EXPECT_EQ(e.rule_index, 2);
        EXPECT_EQ(e.field, "when.probability");
        EXPECT_EQ(e.reason, "must be a number in [0, 1], got 1.5");
    }
}

TEST(FaultRulesParse, ErrorIsAnInvalidArgument) {
    EXPECT_THROW(parse_fault_rules(json::array()), std::invalid_argument);
}

TEST(FaultRulesParse, TopLevelErrors) {
    EXPECT_EQ(error_of(json::array({1})), "rule file: must be a JSON object, got [1]");
    EXPECT_EQ(error_of(json::object()), "rules: required field is missing");
    EXPECT_EQ(error_of({{"rules", {{"a", 1}}}}), "rules: must be an array, got {\"a\":1}");
    EXPECT_EQ(error_of({{"rules", json::array()}, {"seed", -1}}),
              "seed: must be an integer in [0, 18446744073709551615], got -1");
    EXPECT_EQ(error_of({{"rules", json::array()}, {"seed", 1.5}}),
              "seed: must be an integer in [0, 18446744073709551615], got 1.5");
    EXPECT_EQ(error_of({{"rules", json::array()}, {"description", 7}}),
              "description: must be a string, got 7");
    EXPECT_EQ(error_of({{"rules", json::array()}, {"sead", 1}}),
              "sead: unknown field (allowed: seed, description, rules)");
    EXPECT_EQ(error_of({{"rules", json::array({5})}}), "rules[0]: must be an object, got 5");
}

TEST(FaultRulesParse, LargestSeedIsAccepted) {
    const auto set =
        parse_fault_rules(json::parse(R"({"seed": 18446744073709551615, "rules": []})"));
    EXPECT_EQ(set.seed, 18446744073709551615u);
}

TEST(FaultRulesParse, AtMost256Rules) {
    json rules = json::array();
    for (int i = 0; i < 257; ++i) {
        rules.push_back(with(minimal_rule, {{"name", "r" + std::to_string(i)}}));
    }
    EXPECT_EQ(error_of({{"rules", rules}}), "rules: must hold at most 256 rules, got 257");
    rules.erase(rules.end() - 1);
    EXPECT_EQ(error_of({{"rules", rules}}), "");
}

TEST(FaultRulesParse, NamesAreRequiredWellFormedAndUnique) {
    EXPECT_EQ(rule_error({{"then", {{"status", 409}}}}),
              "rules[0].name: required field is missing");
    const std::string expectation =
        "rules[0].name: must be a string of 1 to 64 characters from A-Z a-z 0-9 . _ -, got ";
    EXPECT_EQ(rule_error(with(minimal_rule, {{"name", ""}})), expectation + "\"\"");
    EXPECT_EQ(rule_error(with(minimal_rule, {{"name", "a b"}})), expectation + "\"a b\"");
    EXPECT_EQ(rule_error(with(minimal_rule, {{"name", 3}})), expectation + "3");
    EXPECT_EQ(rule_error(with(minimal_rule, {{"name", std::string(65, 'x')}})).substr(0, 30),
              expectation.substr(0, 30));
    EXPECT_EQ(rule_error(with(minimal_rule, {{"name", std::string(64, 'x')}})), "");

    const json doc = {{"rules", {minimal_rule, with(minimal_rule, {{"name", "s"}}), minimal_rule}}};
    EXPECT_EQ(error_of(doc), "rules[2].name: must be unique, \"r\" is also the name of rules[0]");
}

// Every key at every level is checked: a misspelt field is an error, never a
// silently inactive fault.
TEST(FaultRulesParse, UnknownKeysAreRejectedAtEveryLevel) {
    EXPECT_EQ(rule_error(with(minimal_rule, {{"when_", json::object()}})),
              "rules[0].when_: unknown field (allowed: name, description, match, when, then)");
    EXPECT_EQ(rule_error(with(minimal_rule, {{"match", {{"paht", "/x"}}}})),
              "rules[0].match.paht: unknown field (allowed: methods, path, resource, header)");
    EXPECT_EQ(
        rule_error(with(minimal_rule, {{"match", {{"header", {{"name", "X"}, {"val", "1"}}}}}})),
        "rules[0].match.header.val: unknown field (allowed: name, value)");
    EXPECT_EQ(rule_error(with(minimal_rule, {{"when", {{"probablity", 0.5}}}})),
              "rules[0].when.probablity: unknown field (allowed: probability, nth, every, first, "
              "after_s, max_firings)");
    EXPECT_EQ(rule_error(with(minimal_rule, {{"then", {{"stauts", 409}}}})),
              "rules[0].then.stauts: unknown field (allowed: status, retry_after_s, "
              "retry_after_date, body, delay_ms, delete_resource, foreign_write, "
              "switch_etag_style, switch_etag_scheme, connection)");
    EXPECT_EQ(
        rule_error(with(minimal_rule, {{"then", {{"foreign_write", {{"patch", {{"a", 1}}}}}}}})),
        "rules[0].then.foreign_write.patch: unknown field (allowed: merge_patch)");
    EXPECT_EQ(rule_error(with(minimal_rule, {{"then", {{"retry_after_date", {{"in", 5}}}}}})),
              "rules[0].then.retry_after_date.in: unknown field (allowed: in_s)");
    EXPECT_EQ(rule_error({{"name", "r"},
                          {"then", {{"delay_ms", {{"uniform", {{"min", 1}, {"mx", 2}}}}}}}}),
              "rules[0].then.delay_ms.uniform.mx: unknown field (allowed: min, max)");
    EXPECT_EQ(rule_error({{"name", "r"},
                          {"then", {{"delay_ms", {{"normal", {{"mean", 1}, {"sd", 2}}}}}}}}),
              "rules[0].then.delay_ms.normal.sd: unknown field (allowed: mean, stddev)");
    EXPECT_EQ(rule_error({{"name", "r"},
                          {"then", {{"delay_ms", {{"lognormal", {{"median", 1}, {"mu", 2}}}}}}}}),
              "rules[0].then.delay_ms.lognormal.mu: unknown field (allowed: median, sigma)");
    EXPECT_EQ(rule_error({{"name", "r"}, {"then", {{"delay_ms", {{"gamma", {{"k", 1}}}}}}}}),
              "rules[0].then.delay_ms.gamma: unknown field (allowed: uniform, normal, lognormal)");
}

TEST(FaultRulesParse, UnknownKeysAreShownPrintableAndShort) {
    EXPECT_EQ(rule_error(with(minimal_rule, {{"bad\nkey\xff", 1}})),
              "rules[0].bad?key?: unknown field (allowed: name, description, match, when, then)");
    const std::string long_key(100, 'k');
    EXPECT_EQ(rule_error(with(minimal_rule, {{long_key, 1}})),
              "rules[0]." + std::string(60, 'k') +
                  "...: unknown field (allowed: name, description, match, when, then)");
}

TEST(FaultRulesParse, MatchFieldErrors) {
    const auto match_error = [](const json& match) {
        return rule_error(with(minimal_rule, {{"match", match}}));
    };
    EXPECT_EQ(match_error(5), "rules[0].match: must be an object, got 5");
    EXPECT_EQ(match_error({{"methods", json::array()}}),
              "rules[0].match.methods: must be a non-empty array of method names, got []");
    EXPECT_EQ(match_error({{"methods", "PUT"}}),
              "rules[0].match.methods: must be a non-empty array of method names, got \"PUT\"");
    EXPECT_EQ(match_error({{"methods", {"PUT", "put"}}}),
              "rules[0].match.methods[1]: must be an upper-case method name such as \"PUT\", got "
              "\"put\"");
    EXPECT_EQ(match_error({{"path", "resources/*"}}),
              "rules[0].match.path: must be a glob starting with '/' of at most 1024 characters, "
              "got \"resources/*\"");
    EXPECT_EQ(match_error({{"path", 1}}),
              "rules[0].match.path: must be a glob starting with '/' of at most 1024 characters, "
              "got 1");
    EXPECT_NE(match_error({{"path", "/" + std::string(1024, 'a')}}), "");
    EXPECT_EQ(match_error({{"path", "/" + std::string(1023, 'a')}}), "");
    EXPECT_EQ(match_error({{"resource", ""}}),
              "rules[0].match.resource: must be a non-empty resource id, got \"\"");
    EXPECT_EQ(match_error({{"header", "X-A: 1"}}),
              "rules[0].match.header: must be an object, got \"X-A: 1\"");
    EXPECT_EQ(match_error({{"header", {{"value", "1"}}}}),
              "rules[0].match.header.name: required field is missing");
    EXPECT_EQ(
        match_error({{"header", {{"name", "X A"}}}}),
        "rules[0].match.header.name: must be a header field name such as \"X-Writer-Id\", got "
        "\"X A\"");
    EXPECT_EQ(match_error({{"header", {{"name", "X-A"}, {"value", 1}}}}),
              "rules[0].match.header.value: must be a string, got 1");
}

TEST(FaultRulesParse, WhenFieldErrors) {
    const auto when_error = [](const json& when) {
        return rule_error(with(minimal_rule, {{"when", when}}));
    };
    EXPECT_EQ(when_error(json::array()), "rules[0].when: must be an object, got []");
    EXPECT_EQ(when_error({{"probability", -0.1}}),
              "rules[0].when.probability: must be a number in [0, 1], got -0.1");
    EXPECT_EQ(when_error({{"probability", "0.5"}}),
              "rules[0].when.probability: must be a number in [0, 1], got \"0.5\"");
    EXPECT_EQ(when_error({{"probability", 0}}), "");
    EXPECT_EQ(when_error({{"probability", 1}}), "");
    for (const char* key : {"nth", "every", "first", "max_firings"}) {
        SCOPED_TRACE(key);
        const std::string prefix =
            std::string("rules[0].when.") + key + ": must be an integer >= 1, got ";
        EXPECT_EQ(when_error({{key, 0}}), prefix + "0");
        EXPECT_EQ(when_error({{key, -3}}), prefix + "-3");
        EXPECT_EQ(when_error({{key, 2.5}}), prefix + "2.5");
        EXPECT_EQ(when_error({{key, true}}), prefix + "true");
        EXPECT_EQ(when_error({{key, 1}}), "");
    }
    EXPECT_EQ(when_error({{"after_s", -1}}),
              "rules[0].when.after_s: must be a number of seconds in [0, 31536000], got -1");
    EXPECT_EQ(when_error({{"after_s", 31536001}}),
              "rules[0].when.after_s: must be a number of seconds in [0, 31536000], got 31536001");
    EXPECT_EQ(when_error({{"after_s", 0.25}}), "");
}

TEST(FaultRulesParse, StatusMustBeOneAConflictClientMeets) {
    const auto status_error = [](const json& status) {
        return rule_error({{"name", "r"}, {"then", {{"status", status}}}});
    };
    for (int s : {404, 409, 410, 412, 428, 429, 500, 502, 503, 504}) {
        EXPECT_EQ(status_error(s), "") << s;
    }
    for (const json& bad : {json(200), json(418), json(409.5), json("409")}) {
        EXPECT_EQ(status_error(bad),
                  "rules[0].then.status: must be one of 404, 409, 410, 412, 428, 429, 500, 502, "
                  "503, 504, got " +
                      bad.dump());
    }
}

TEST(FaultRulesParse, ThenFieldErrors) {
    const auto then_error = [](const json& then) {
        return rule_error({{"name", "r"}, {"then", then}});
    };
    EXPECT_EQ(then_error(json::object()), "rules[0].then: must contain at least one action");
    EXPECT_EQ(then_error("409"), "rules[0].then: must be an object, got \"409\"");

    EXPECT_EQ(then_error({{"retry_after_s", 1}}),
              "rules[0].then.retry_after_s: requires then.status");
    EXPECT_EQ(then_error({{"retry_after_date", {{"in_s", 1}}}}),
              "rules[0].then.retry_after_date: requires then.status");
    EXPECT_EQ(then_error({{"body", {{"a", 1}}}}), "rules[0].then.body: requires then.status");
    EXPECT_EQ(then_error({{"status", 429}, {"retry_after_s", -1}}),
              "rules[0].then.retry_after_s: must be an integer number of seconds in [0, 31536000], "
              "got -1");
    EXPECT_EQ(then_error({{"status", 429}, {"retry_after_s", 1.5}}),
              "rules[0].then.retry_after_s: must be an integer number of seconds in [0, 31536000], "
              "got 1.5");
    EXPECT_EQ(
        then_error({{"status", 429}, {"retry_after_s", 1}, {"retry_after_date", {{"in_s", 1}}}}),
        "rules[0].then.retry_after_date: cannot be combined with then.retry_after_s");
    EXPECT_EQ(then_error({{"status", 503}, {"retry_after_date", "tomorrow"}}),
              "rules[0].then.retry_after_date: must be an HTTP-date such as \"Sun, 06 Nov 1994 "
              "08:49:37 GMT\" or {\"in_s\": N}, got \"tomorrow\"");
    EXPECT_EQ(then_error({{"status", 503}, {"retry_after_date", {{"in_s", 31536001}}}}),
              "rules[0].then.retry_after_date.in_s: must be an integer number of seconds in "
              "[-31536000, 31536000], got 31536001");
    EXPECT_EQ(then_error({{"status", 503}, {"retry_after_date", {{"in_s", -5}}}}), "");
    // The obsolete RFC 850 form is accepted too: clients must parse it.
    EXPECT_EQ(then_error({{"status", 503}, {"retry_after_date", "Sunday, 06-Nov-94 08:49:37 GMT"}}),
              "");

    EXPECT_EQ(
        then_error({{"delete_resource", false}}),
        "rules[0].then.delete_resource: must be true (omit it to keep the resource), got false");
    EXPECT_EQ(then_error({{"foreign_write", {{"owner", "x"}}}}),
              "rules[0].then.foreign_write.owner: unknown field (allowed: merge_patch)");
    EXPECT_EQ(then_error({{"foreign_write", json::object()}}),
              "rules[0].then.foreign_write.merge_patch: required field is missing");
    EXPECT_EQ(then_error({{"foreign_write", {{"merge_patch", json::array()}}}}),
              "rules[0].then.foreign_write.merge_patch: must be an object (an RFC 7396 merge "
              "patch), got []");
    EXPECT_EQ(then_error({{"switch_etag_style", "Weak"}}),
              "rules[0].then.switch_etag_style: must be one of \"strong\", \"weak\", \"unquoted\", "
              "got \"Weak\"");
    EXPECT_EQ(
        then_error({{"switch_etag_scheme", "sha"}}),
        "rules[0].then.switch_etag_scheme: must be one of \"counter\", \"hash\", \"uuid\", got "
        "\"sha\"");
    EXPECT_EQ(
        then_error({{"connection", "drop"}}),
        "rules[0].then.connection: must be one of \"reset\", \"close\", \"hang\", got \"drop\"");
}

// Found while fuzzing rule files: the HTTP-date check accepted any three
// characters as the day name (any text before the comma in the RFC 850
// form), and the date is sent verbatim as Retry-After, so a rule could put
// CR LF and its own header lines into responses.
TEST(FaultRulesParse, RetryAfterDateCannotInjectHeaderLines) {
    const auto then_error = [](const json& then) {
        return rule_error({{"name", "r"}, {"then", then}});
    };
    EXPECT_EQ(
        then_error({{"status", 503}, {"retry_after_date", "\r\nX, 06 Nov 1994 08:49:37 GMT"}}),
        "rules[0].then.retry_after_date: must be an HTTP-date such as \"Sun, 06 Nov 1994 "
        "08:49:37 GMT\" or {\"in_s\": N}, got \"\\r\\nX, 06 Nov 1994 08:49:37 GMT\"");
    EXPECT_NE(then_error({{"status", 503},
                          {"retry_after_date", "x\r\nSet-Cookie: a=b, 06-Nov-94 08:49:37 GMT"}}),
              "");
}

TEST(FaultRulesParse, DelayErrors) {
    const auto delay_error = [](const json& delay) {
        return rule_error({{"name", "r"}, {"then", {{"delay_ms", delay}}}});
    };
    EXPECT_EQ(delay_error(60000), "");
    EXPECT_EQ(delay_error(60001),
              "rules[0].then.delay_ms: must be a number of milliseconds in [0, 60000], got 60001");
    EXPECT_EQ(delay_error(-1),
              "rules[0].then.delay_ms: must be a number of milliseconds in [0, 60000], got -1");
    EXPECT_EQ(delay_error("50ms"),
              "rules[0].then.delay_ms: must be a number of milliseconds or an object with one of "
              "uniform, normal, lognormal, got \"50ms\"");
    EXPECT_EQ(delay_error({{"uniform", {{"min", 1}, {"max", 2}}},
                           {"normal", {{"mean", 1}, {"stddev", 1}}}}),
              "rules[0].then.delay_ms: must be a number of milliseconds or an object with one of "
              "uniform, normal, lognormal, got "
              "{\"normal\":{\"mean\":1,\"stddev\":1},\"uniform\":{\"max\":2,\"min\":1}}");
    EXPECT_EQ(delay_error({{"uniform", 5}}),
              "rules[0].then.delay_ms.uniform: must be an object, got 5");
    EXPECT_EQ(delay_error({{"uniform", {{"max", 2}}}}),
              "rules[0].then.delay_ms.uniform.min: required field is missing");
    EXPECT_EQ(delay_error({{"uniform", {{"min", 50}, {"max", 10}}}}),
              "rules[0].then.delay_ms.uniform.max: must be >= min (50), got 10");
    EXPECT_EQ(delay_error({{"uniform", {{"min", 0}, {"max", 70000}}}}),
              "rules[0].then.delay_ms.uniform.max: must be a number of milliseconds in [0, 60000], "
              "got 70000");
    EXPECT_EQ(
        delay_error({{"normal", {{"mean", 100}, {"stddev", -1}}}}),
        "rules[0].then.delay_ms.normal.stddev: must be a number of milliseconds in [0, 60000], "
        "got -1");
    EXPECT_EQ(delay_error({{"normal", {{"mean", 100}}}}),
              "rules[0].then.delay_ms.normal.stddev: required field is missing");
    EXPECT_EQ(delay_error({{"lognormal", {{"median", 0}, {"sigma", 1}}}}),
              "rules[0].then.delay_ms.lognormal.median: must be a number of milliseconds in (0, "
              "60000], got 0");
    EXPECT_EQ(delay_error({{"lognormal", {{"median", 50}, {"sigma", 11}}}}),
              "rules[0].then.delay_ms.lognormal.sigma: must be a number in [0, 10], got 11");
}

TEST(FaultRulesParse, FirstProblemRejectsTheWholeFile) {
    json doc = example_file;
    doc["rules"][4]["then"]["delay_ms"] = -5;
    EXPECT_EQ(error_of(doc),
              "rules[4].then.delay_ms: must be a number of milliseconds in [0, 60000], got -5");
}

}  // namespace
}  // namespace conflictlab::mock
