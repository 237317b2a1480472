// Scenario validation: every bad field is reported as
// "<source>: <field path>: <problem>" with the allowed range or values, before
// anything runs (docs/scenarios.md "Validation errors"). The messages are
// part of the interface: CI logs and users read them, so they are pinned.

#include <string>

#include <gtest/gtest.h>

#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness {
namespace {

struct BadCase {
    const char* name;
    const char* document;
    const char* message;
    const char* field;
};

std::string error_of(const std::string& document) {
    try {
        parse_scenario(document, "quick.json");
    } catch (const ScenarioError& e) {
        return e.what();
    }
    return "<no error>";
}

class ScenarioValidation : public ::testing::TestWithParam<BadCase> {};

TEST_P(ScenarioValidation, ReportsFieldAndProblem) {
    const BadCase& c = GetParam();
    try {
        parse_scenario(c.document, "quick.json");
        FAIL() << "accepted: " << c.document;
    } catch (const ScenarioError& e) {
        EXPECT_EQ(std::string(e.what()), c.message);
        EXPECT_EQ(e.field(), c.field);
    }
}

// clang-format off
const BadCase kBadCases[] = {
    {"UnknownDistribution",
     R"({"name": "q", "writers": 1, "workload": {"keys": {"distribution": "pareto"}}})",
     R"(quick.json: workload.keys.distribution: unknown value "pareto" (allowed: uniform, zipf, hot, owned))",
     "workload.keys.distribution"},
    {"UnknownTopLevelField",
     R"({"name": "q", "writers": 1, "workloads": {}})",
     "quick.json: workloads: unknown field (allowed: name, description, seed, mode, target, "
     "workload, groups, writers, policy, client, expect, sim)",
     "workloads"},
    {"UnknownFieldReportedBeforeMissingRequiredOne",
     R"({"name": "q", "group": []})",
     "quick.json: group: unknown field (allowed: name, description, seed, mode, target, "
     "workload, groups, writers, policy, client, expect, sim)",
     "group"},
    {"UnknownWorkloadField",
     R"({"name": "q", "writers": 1, "workload": {"resource": 3}})",
     "quick.json: workload.resource: unknown field (allowed: kind, resources, resource_prefix, "
     "keys, ops_per_writer, duration_s, patch_fraction, fields, timestamp_skew_ms, "
     "think_time_ms, simultaneous_pairs, read_before_write)",
     "workload.resource"},
    {"UnknownGroupField",
     R"({"name": "q", "groups": [{"writer": 2}]})",
     "quick.json: groups[0].writer: unknown field (allowed: name, writers, policy)",
     "groups[0].writer"},
    {"MissingName",
     R"({"writers": 1})",
     R"(quick.json: name: required (e.g. "hot-key-merge"))",
     "name"},
    {"NameWithSpaces",
     R"({"name": "hot key", "writers": 1})",
     R"(quick.json: name: 1 to 128 letters, digits, '-', '_' or '.' (got "hot key"))",
     "name"},
    {"NegativeSeed",
     R"({"name": "q", "writers": 1, "seed": -1})",
     "quick.json: seed: must be between 0 and 18446744073709551615 (got -1)",
     "seed"},
    {"FractionalSeed",
     R"({"name": "q", "writers": 1, "seed": 1.5})",
     "quick.json: seed: expected an integer (got number 1.5)",
     "seed"},
    {"UnknownMode",
     R"({"name": "q", "writers": 1, "mode": "fast"})",
     R"(quick.json: mode: unknown value "fast" (allowed: real, sim))",
     "mode"},
    {"NoGroups",
     R"({"name": "q"})",
     "quick.json: groups: required: an array of writer groups (or top-level \"writers\" and "
     "\"policy\" for a single group)",
     "groups"},
    {"EmptyGroups",
     R"({"name": "q", "groups": []})",
     "quick.json: groups: must have between 1 and 100 writer groups (got 0)",
     "groups"},
    {"ShorthandWithGroups",
     R"({"name": "q", "writers": 2, "groups": [{"writers": 1}]})",
     "quick.json: writers: not allowed together with \"groups\" (top-level writers and policy "
     "are the shorthand for a single group)",
     "writers"},
    {"ZeroWriters",
     R"({"name": "q", "writers": 0})",
     "quick.json: writers: must be between 1 and 10000 (got 0)",
     "writers"},
    {"TooManyWritersInTotal",
     R"({"name": "q", "groups": [{"name": "a", "writers": 6000}, {"name": "b", "writers": 5000}]})",
     "quick.json: groups: total writers must be between 1 and 10000 (got 11000)",
     "groups"},
    {"GroupNameRequiredWithSeveralGroups",
     R"({"name": "q", "groups": [{"name": "a"}, {"writers": 2}]})",
     "quick.json: groups[1].name: required when there is more than one group (names label the "
     "policy comparison)",
     "groups[1].name"},
    {"DuplicateGroupName",
     R"({"name": "q", "groups": [{"name": "a"}, {"name": "a"}]})",
     R"(quick.json: groups[1].name: duplicate group name "a" (also groups[0]))",
     "groups[1].name"},
    {"GroupPolicyErrorCarriesGroupPath",
     R"({"name": "q", "groups": [{"name": "a"}, {"name": "b", "policy": {"backoff": {"kind": "fast"}}}]})",
     "quick.json: groups[1].policy.backoff.kind: unknown value \"fast\" (expected one of none, "
     "constant, exponential, full-jitter, equal-jitter, decorrelated-jitter)",
     "groups[1].policy.backoff.kind"},
    {"ShorthandPolicyError",
     R"({"name": "q", "writers": 1, "policy": {"max_attempts": 0}})",
     "quick.json: policy.max_attempts: must be between 1 and 1000 (got 0)",
     "policy.max_attempts"},
    {"ResourcesOutOfRange",
     R"({"name": "q", "writers": 1, "workload": {"resources": 0}})",
     "quick.json: workload.resources: must be between 1 and 1000000 (got 0)",
     "workload.resources"},
    {"ResourcesAsString",
     R"({"name": "q", "writers": 1, "workload": {"resources": "10"}})",
     "quick.json: workload.resources: expected an integer (got a string)",
     "workload.resources"},
    {"UnknownWorkloadKind",
     R"({"name": "q", "writers": 1, "workload": {"kind": "queue"}})",
     "quick.json: workload.kind: unknown value \"queue\" (allowed: set-add, register, "
     "disjoint-fields, overlapping-fields, blind)",
     "workload.kind"},
    {"OpsPerWriterFractional",
     R"({"name": "q", "writers": 1, "workload": {"ops_per_writer": 2.5}})",
     "quick.json: workload.ops_per_writer: expected an integer (got number 2.5)",
     "workload.ops_per_writer"},
    {"OpsPerWriterTooMany",
     R"({"name": "q", "writers": 1, "workload": {"ops_per_writer": 1000001}})",
     "quick.json: workload.ops_per_writer: must be between 1 and 1000000 (got 1000001)",
     "workload.ops_per_writer"},
    {"OpsAndDurationBoth",
     R"({"name": "q", "writers": 1, "workload": {"ops_per_writer": 5, "duration_s": 10}})",
     "quick.json: workload.duration_s: give either ops_per_writer or duration_s, not both (each "
     "bounds the run)",
     "workload.duration_s"},
    {"DurationZero",
     R"({"name": "q", "writers": 1, "workload": {"duration_s": 0}})",
     "quick.json: workload.duration_s: must be greater than 0 and at most 3600 (got 0)",
     "workload.duration_s"},
    {"DurationOverAnHour",
     R"({"name": "q", "writers": 1, "workload": {"duration_s": 3600.5}})",
     "quick.json: workload.duration_s: must be greater than 0 and at most 3600 (got 3600.5)",
     "workload.duration_s"},
    {"PatchFractionAboveOne",
     R"({"name": "q", "writers": 1, "workload": {"patch_fraction": 1.5}})",
     "quick.json: workload.patch_fraction: must be between 0 and 1 (got 1.5)",
     "workload.patch_fraction"},
    {"ZipfExponentZero",
     R"({"name": "q", "writers": 1, "workload": {"keys": {"distribution": "zipf", "zipf_exponent": 0}}})",
     "quick.json: workload.keys.zipf_exponent: must be greater than 0 and at most 100 (got 0)",
     "workload.keys.zipf_exponent"},
    {"ZipfExponentWithUniform",
     R"({"name": "q", "writers": 1, "workload": {"keys": {"zipf_exponent": 1.2}}})",
     "quick.json: workload.keys.zipf_exponent: only for distribution \"zipf\"",
     "workload.keys.zipf_exponent"},
    {"HotFractionAboveOne",
     R"({"name": "q", "writers": 1, "workload": {"keys": {"distribution": "hot", "hot_fraction": 1.01}}})",
     "quick.json: workload.keys.hot_fraction: must be between 0 and 1 (got 1.01)",
     "workload.keys.hot_fraction"},
    {"HotKeysMoreThanResources",
     R"({"name": "q", "writers": 1, "workload": {"resources": 5, "keys": {"distribution": "hot", "hot_keys": 9}}})",
     "quick.json: workload.keys.hot_keys: must be between 1 and workload.resources (5) (got 9)",
     "workload.keys.hot_keys"},
    {"OwnedKeysNeedAResourcePerWriter",
     R"({"name": "q", "writers": 8, "workload": {"resources": 5, "keys": {"distribution": "owned"}}})",
     "quick.json: workload.keys.distribution: \"owned\" gives every writer its own resources: "
     "needs workload.resources >= writers (5 < 8)",
     "workload.keys.distribution"},
    {"ReadBeforeWriteUnknown",
     R"({"name": "q", "writers": 1, "workload": {"read_before_write": "never"}})",
     "quick.json: workload.read_before_write: unknown value \"never\" (allowed: always, "
     "unless-known)",
     "workload.read_before_write"},
    {"FieldsTooMany",
     R"({"name": "q", "writers": 1, "workload": {"kind": "register", "fields": 65}})",
     "quick.json: workload.fields: must be between 1 and 64 (got 65)",
     "workload.fields"},
    {"FieldsForSetAdd",
     R"({"name": "q", "writers": 1, "workload": {"fields": 3}})",
     "quick.json: workload.fields: only for kinds register and overlapping-fields (kind is "
     "\"set-add\")",
     "workload.fields"},
    {"SkewNegative",
     R"({"name": "q", "writers": 1, "workload": {"timestamp_skew_ms": -1}})",
     "quick.json: workload.timestamp_skew_ms: must be between 0 and 86400000 (got -1)",
     "workload.timestamp_skew_ms"},
    {"SkewOverADay",
     R"({"name": "q", "writers": 1, "workload": {"timestamp_skew_ms": 86400001}})",
     "quick.json: workload.timestamp_skew_ms: must be between 0 and 86400000 (got 86400001)",
     "workload.timestamp_skew_ms"},
    {"ResourcePrefixWithSlash",
     R"({"name": "q", "writers": 1, "workload": {"resource_prefix": "a/b"}})",
     "quick.json: workload.resource_prefix: at most 64 letters, digits, '-', '.', '_' or '~' "
     "(got \"a/b\")",
     "workload.resource_prefix"},
    {"SimultaneousPairsNeedTwoWriters",
     R"({"name": "q", "writers": 1, "workload": {"simultaneous_pairs": true}})",
     "quick.json: workload.simultaneous_pairs: needs at least 2 writers (got 1)",
     "workload.simultaneous_pairs"},
    {"ClientThreadsTooMany",
     R"({"name": "q", "writers": 1, "client": {"threads": 65}})",
     "quick.json: client.threads: must be between 1 and 64 (got 65)",
     "client.threads"},
    {"TargetKindUnknown",
     R"({"name": "q", "writers": 1, "target": {"kind": "remote"}})",
     R"(quick.json: target.kind: unknown value "remote" (allowed: embedded, external))",
     "target.kind"},
    {"ExternalWithoutUrl",
     R"({"name": "q", "writers": 1, "target": {"kind": "external"}})",
     R"(quick.json: target.url: required for kind "external" (e.g. "http://127.0.0.1:8080"))",
     "target.url"},
    {"ExternalUrlWrongScheme",
     R"({"name": "q", "writers": 1, "target": {"kind": "external", "url": "ftp://h"}})",
     "quick.json: target.url: must start with http:// or https://",
     "target.url"},
    {"ExternalUrlBadPort",
     R"({"name": "q", "writers": 1, "target": {"kind": "external", "url": "http://h:70000"}})",
     "quick.json: target.url: port must be between 1 and 65535",
     "target.url"},
    {"ExternalUrlWithQuery",
     R"({"name": "q", "writers": 1, "target": {"kind": "external", "url": "http://h/api?x=1"}})",
     "quick.json: target.url: must be a base URL without query or fragment (e.g. "
     "\"http://127.0.0.1:8080\")",
     "target.url"},
    {"ExternalTokenInline",
     R"({"name": "q", "writers": 1, "target": {"kind": "external", "url": "http://h", "token": "s3cr3t-value"}})",
     "quick.json: target.token: must be \"env:NAME\" or \"file:PATH\"; secrets are never written "
     "inline in scenario files, which are committed and copied into results",
     "target.token"},
    {"ExternalAdminTokenBadEnvName",
     R"({"name": "q", "writers": 1, "target": {"kind": "external", "url": "http://h", "admin_token": "env:1X"}})",
     "quick.json: target.admin_token: \"env:\" needs an environment variable name (letters, "
     "digits and _, e.g. \"env:CONFLICTLAB_TOKEN\")",
     "target.admin_token"},
    {"CaFileOnPlainHttp",
     R"({"name": "q", "writers": 1, "target": {"kind": "external", "url": "http://h", "ca_file": "ca.pem"}})",
     "quick.json: target.ca_file: only for https:// URLs",
     "target.ca_file"},
    {"UrlOnEmbeddedTarget",
     R"({"name": "q", "writers": 1, "target": {"url": "http://h"}})",
     "quick.json: target.url: only for kind \"external\"",
     "target.url"},
    {"ServerOnExternalTarget",
     R"({"name": "q", "writers": 1, "target": {"kind": "external", "url": "http://h", "server": {}}})",
     "quick.json: target.server: only for kind \"embedded\"",
     "target.server"},
    {"EmbeddedServerNotObject",
     R"({"name": "q", "writers": 1, "target": {"server": []}})",
     "quick.json: target.server: expected an object (got an array)",
     "target.server"},
    {"ExternalInSimMode",
     R"({"name": "q", "writers": 1, "mode": "sim", "target": {"kind": "external", "url": "http://h"}})",
     "quick.json: target.kind: \"external\" cannot run in mode \"sim\" (the simulator runs the "
     "mock server's core in-process; use kind \"embedded\" or mode \"real\")",
     "target.kind"},
    {"ExpectNotArray",
     R"({"name": "q", "writers": 1, "expect": "lost_updates == 0"})",
     "quick.json: expect: expected an array of expression strings (got a string)",
     "expect"},
    {"ExpectEntryNotString",
     R"({"name": "q", "writers": 1, "expect": ["lost_updates == 0", 3]})",
     "quick.json: expect[1]: expected a string (got number 3)",
     "expect[1]"},
    {"ExpectBadOperator",
     R"({"name": "q", "writers": 1, "expect": ["lost_updates == 0", "p99_ms =< 250"]})",
     "quick.json: expect[1]: unknown operator \"=<\" (allowed: ==, !=, <, <=, >, >=, contains)",
     "expect[1]"},
    {"SimNotObject",
     R"({"name": "q", "writers": 1, "sim": 3})",
     "quick.json: sim: expected an object (got number 3)",
     "sim"},
    {"TopLevelNotObject",
     R"([1, 2])",
     "quick.json: expected an object (got an array)",
     ""},
    {"DuplicateKey",
     R"({"name": "q", "writers": 1, "workload": {"resources": 2, "resources": 3}})",
     "quick.json: workload.resources: duplicate key (each key may appear once in an object)",
     "workload.resources"},
    {"DuplicateKeyInsideArray",
     R"({"name": "q", "groups": [{"name": "a"}, {"name": "b", "writers": 1, "writers": 2}]})",
     "quick.json: groups[1].writers: duplicate key (each key may appear once in an object)",
     "groups[1].writers"},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Fields, ScenarioValidation, ::testing::ValuesIn(kBadCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(ScenarioValidationSecrets, InlineTokenIsNeverEchoed) {
    std::string message = error_of(
        R"({"name": "q", "writers": 1,
            "target": {"kind": "external", "url": "http://h", "token": "s3cr3t-value"}})");
    EXPECT_EQ(message.find("s3cr3t"), std::string::npos) << message;
}

TEST(ScenarioValidationSecrets, UrlCredentialsAreRejectedAndNeverEchoed) {
    std::string message = error_of(
        R"({"name": "q", "writers": 1,
            "target": {"kind": "external", "url": "https://bob:hunter2@api.example:8443/v1"}})");
    EXPECT_EQ(message,
              "quick.json: target.url: must not contain credentials (user:password@); reference "
              "the token with target.token \"env:NAME\" or \"file:PATH\"");
    EXPECT_EQ(message.find("hunter2"), std::string::npos);
}

TEST(ScenarioValidationSecrets, TokenOfWrongTypeIsNotEchoed) {
    std::string message = error_of(
        R"({"name": "q", "writers": 1,
            "target": {"kind": "external", "url": "http://h", "token": ["s3cr3t"]}})");
    EXPECT_EQ(message,
              "quick.json: target.token: expected a string \"env:NAME\" or \"file:PATH\" (got an "
              "array)");
}

TEST(ScenarioValidationSyntax, JsonErrorNamesLineAndColumn) {
    std::string message = error_of("{\n  \"name\": \"q\",\n  \"writers\": 1,\n}\n");
    EXPECT_EQ(message,
              "quick.json: line 4, column 1: syntax error while parsing object key - unexpected "
              "'}'; expected string literal");
}

// Found by fuzz_scenario: a number too large for a double made nlohmann
// throw out_of_range (not parse_error), which escaped parse_scenario and
// aborted `conflictlab run` instead of exiting 2 with a message.
TEST(ScenarioValidationSyntax, NumberBeyondADouble_IsAScenarioError) {
    EXPECT_EQ(error_of(R"({"name": "q", "writers": 1, "seed": 1e400})"),
              "quick.json: number overflow parsing '1e400'");
}

TEST(ScenarioValidationSyntax, EmptyFile) {
    EXPECT_EQ(error_of(""), "quick.json: the file is empty (expected a JSON object)");
    EXPECT_EQ(error_of(" \n\t\r\n"), "quick.json: the file is empty (expected a JSON object)");
}

TEST(ScenarioValidationSyntax, OnlyCommentsIsASyntaxError) {
    EXPECT_EQ(error_of("// nothing yet\n"),
              "quick.json: line 2, column 1: syntax error while parsing value - unexpected end of "
              "input; expected '[', '{', or a literal");
}

TEST(ScenarioValidationSyntax, NestingIsBounded) {
    std::string deep = R"({"name": "q", "writers": 1, "sim": )";
    for (int i = 0; i < 70; ++i)
        deep += "[";
    for (int i = 0; i < 70; ++i)
        deep += "]";
    deep += "}";
    std::string message = error_of(deep);
    EXPECT_NE(message.find("nested more than 64 levels deep"), std::string::npos) << message;
}

TEST(ScenarioValidationLimits, AcceptsTheBoundsThemselves) {
    auto s = parse_scenario(R"({
        "name": "edges", "seed": 18446744073709551615,
        "groups": [{"name": "a", "writers": 9999}, {"name": "b", "writers": 1}],
        "workload": {"kind": "register", "resources": 1000000, "duration_s": 3600,
                     "patch_fraction": 1, "fields": 64, "timestamp_skew_ms": 86400000,
                     "keys": {"distribution": "hot", "hot_fraction": 0, "hot_keys": 1000000}},
        "client": {"threads": 64}
    })",
                            "edges.json");
    EXPECT_EQ(s.total_writers(), 10000);
    EXPECT_EQ(s.seed, 18446744073709551615ULL);
    EXPECT_EQ(s.workload.keys.hot_keys, 1000000);
    EXPECT_EQ(s.workload.duration_s, 3600.0);
}

}  // namespace
}  // namespace conflictlab::harness
