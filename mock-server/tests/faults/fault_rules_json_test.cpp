// to_json writes the canonical rule file: it parses back to the same data,
// and a file written the documented way comes back unchanged.

#include <gtest/gtest.h>

#include "conflictlab/mock/faults/fault_rules.hpp"

namespace conflictlab::mock {
namespace {

using nlohmann::json;

TEST(FaultRulesJson, DocumentedExampleRoundTripsUnchanged) {
    const json file = json::parse(R"({"seed": 42,
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
    EXPECT_EQ(to_json(parse_fault_rules(file)), file);
}

TEST(FaultRulesJson, EveryFieldRoundTrips) {
    const json file = json::parse(R"({"seed": 7, "description": "all fields",
     "rules": [
       {"name": "a", "description": "first",
        "match": {"methods": ["PUT"], "path": "/resources/**", "resource": "x",
                  "header": {"name": "X-Writer-Id", "value": "w1"}},
        "when": {"probability": 0.5, "nth": 3, "every": 2, "first": 9, "after_s": 1.5, "max_firings": 4},
        "then": {"status": 503, "retry_after_date": {"in_s": -5}, "body": [1, {"b": null}],
                 "delay_ms": {"uniform": {"min": 1, "max": 2.5}}, "delete_resource": true,
                 "foreign_write": {"merge_patch": {"k": null}}, "switch_etag_style": "unquoted",
                 "switch_etag_scheme": "uuid", "connection": "close"}},
       {"name": "b", "match": {"header": {"name": "If-Match"}},
        "then": {"status": 503, "retry_after_date": "Sun, 06 Nov 1994 08:49:37 GMT",
                 "delay_ms": {"normal": {"mean": 10, "stddev": 3}}, "connection": "hang",
                 "switch_etag_style": "weak", "switch_etag_scheme": "hash"}},
       {"name": "c", "then": {"delay_ms": 12.5, "connection": "reset", "switch_etag_style": "strong",
                              "switch_etag_scheme": "counter"}}
     ]})");
    const FaultRuleSet set = parse_fault_rules(file);
    EXPECT_EQ(parse_fault_rules(to_json(set)), set);

    json expected = file;  // missing match/when are written as empty objects
    expected["rules"][1]["when"] = json::object();
    expected["rules"][2]["match"] = json::object();
    expected["rules"][2]["when"] = json::object();
    EXPECT_EQ(to_json(set), expected);
}

TEST(FaultRulesJson, WholeNumbersAreWrittenAsIntegers) {
    const FaultRuleSet set = parse_fault_rules(json::parse(
        R"({"rules": [{"name": "a", "when": {"after_s": 30.0}, "then": {"delay_ms": 250}}]})"));
    EXPECT_EQ(
        to_json(set).dump(),
        R"({"rules":[{"match":{},"name":"a","then":{"delay_ms":250},"when":{"after_s":30}}]})");
}

}  // namespace
}  // namespace conflictlab::mock
