// CoreOptions: the config-file form, its validation messages and the
// redaction of tokens.

#include "conflictlab/mock/core_options.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace conflictlab::mock {
namespace {

using nlohmann::json;

std::string error_of(const json& doc) {
    try {
        parse_core_options(doc);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(CoreOptions, EmptyObjectGivesDefaults) {
    const CoreOptions o = parse_core_options(json::object());
    EXPECT_EQ(o.dialect, Dialect::if_match);
    EXPECT_FALSE(o.require_precondition);
    EXPECT_EQ(o.busy_window.count(), 0);
    EXPECT_EQ(o.conflict_status, 412);
    EXPECT_EQ(o.etag_style, EtagStyle::strong);
    EXPECT_EQ(o.etag_scheme, EtagScheme::counter);
    EXPECT_EQ(o.version_pointer, "/version");
    EXPECT_EQ(o.deleted_status, 404);
    EXPECT_EQ(o.body_limit_bytes, 1024u * 1024u);
    EXPECT_EQ(o.max_json_depth, 64u);
    EXPECT_EQ(o.history_limit, 10000u);
    EXPECT_FALSE(o.resource_token);
    EXPECT_TRUE(o.fault_rules.is_null());
}

TEST(CoreOptions, ReadsEveryField) {
    const CoreOptions o = parse_core_options({
        {"dialect", "body-version"},
        {"require_precondition", true},
        {"busy_window_ms", 250},
        {"conflict_status", 409},
        {"lenient_weak_match", true},
        {"etag_style", "unquoted"},
        {"etag_scheme", "uuid"},
        {"version_pointer", "/metadata/resourceVersion"},
        {"deleted_status", 410},
        {"body_limit_bytes", 2048},
        {"max_json_depth", 8},
        {"history_limit", 5},
        {"page_limit_default", 3},
        {"page_limit_max", 7},
        {"alerts_limit", 9},
        {"store_shards", 2},
        {"seed", 99},
        {"throttle", {{"per_client_rate_per_s", 5}}},
        {"fault_rules", {{"rules", json::array()}}},
    });
    EXPECT_EQ(o.dialect, Dialect::body_version);
    EXPECT_TRUE(o.require_precondition);
    EXPECT_EQ(o.busy_window.count(), 250);
    EXPECT_EQ(o.conflict_status, 409);
    EXPECT_TRUE(o.lenient_weak_match);
    EXPECT_EQ(o.etag_style, EtagStyle::unquoted);
    EXPECT_EQ(o.etag_scheme, EtagScheme::uuid);
    EXPECT_EQ(o.version_pointer, "/metadata/resourceVersion");
    EXPECT_EQ(o.deleted_status, 410);
    EXPECT_EQ(o.body_limit_bytes, 2048u);
    EXPECT_EQ(o.max_json_depth, 8u);
    EXPECT_EQ(o.history_limit, 5u);
    EXPECT_EQ(o.page_limit_default, 3u);
    EXPECT_EQ(o.page_limit_max, 7u);
    EXPECT_EQ(o.alerts_limit, 9u);
    EXPECT_EQ(o.store_shards, 2u);
    EXPECT_EQ(o.seed, 99u);
    EXPECT_EQ(o.throttle.per_client_rate_per_s, 5);
    EXPECT_TRUE(o.fault_rules.is_object());
}

TEST(CoreOptions, DialectShorthandsCombineWithIfMatch) {
    auto o = parse_core_options({{"dialect", "require-precondition"}});
    EXPECT_EQ(o.dialect, Dialect::if_match);
    EXPECT_TRUE(o.require_precondition);
    o = parse_core_options({{"dialect", "busy-window"}});
    EXPECT_EQ(o.dialect, Dialect::if_match);
    EXPECT_EQ(o.busy_window.count(), 100);
    o = parse_core_options({{"dialect", "busy-window"}, {"busy_window_ms", 30}});
    EXPECT_EQ(o.busy_window.count(), 30);
}

TEST(CoreOptions, ErrorsNameTheFieldAndTheValue) {
    EXPECT_EQ(error_of({{"dialect", "x"}}),
              "dialect: must be one of if-match, body-version, require-precondition, "
              "busy-window; got \"x\"");
    EXPECT_EQ(error_of({{"conflict_status", 400}}), "conflict_status: must be 412 or 409, got 400");
    EXPECT_EQ(error_of({{"deleted_status", "410"}}),
              "deleted_status: must be 404 or 410, got \"410\"");
    EXPECT_EQ(error_of({{"etag_style", "bold"}}),
              "etag_style: must be one of strong, weak, unquoted; got \"bold\"");
    EXPECT_EQ(error_of({{"etag_scheme", 3}}),
              "etag_scheme: must be one of counter, hash, uuid; got 3");
    EXPECT_EQ(error_of({{"body_limit_bytes", -1}}),
              "body_limit_bytes: must be an integer in [1, 1073741824], got -1");
    EXPECT_EQ(error_of({{"max_json_depth", 1.5}}),
              "max_json_depth: must be an integer in [1, 10000], got 1.5");
    EXPECT_EQ(error_of({{"weak_etags", "yes"}}), "weak_etags: must be true or false, got \"yes\"");
    EXPECT_EQ(error_of({{"version_pointer", "_rev"}}),
              "version_pointer: must be a JSON pointer (RFC 6901) such as \"/_rev\", got \"_rev\"");
    EXPECT_EQ(error_of({{"colour", 1}}), "colour: unknown field");
    EXPECT_EQ(error_of(json::array()), "(config): must be a JSON object, got []");
}

TEST(CoreOptions, NestedErrorsArePrefixedWithTheirField) {
    const std::string throttle = error_of({{"throttle", {{"global_rate_per_s", -1}}}});
    EXPECT_EQ(throttle.rfind("throttle: global_rate_per_s:", 0), 0u) << throttle;
    const std::string rules = error_of(
        {{"fault_rules",
          {{"rules",
            {{{"name", "r"}, {"when", {{"probability", 1.5}}}, {"then", {{"status", 503}}}}}}}}});
    EXPECT_EQ(rules, "fault_rules: rules[0].when.probability: must be a number in [0, 1], got 1.5");
}

TEST(CoreOptions, WeakEtagsConflictsWithAnotherStyle) {
    EXPECT_EQ(error_of({{"weak_etags", true}, {"etag_style", "strong"}}),
              "weak_etags: true conflicts with etag_style \"strong\"");
    const auto o = parse_core_options({{"weak_etags", true}});
    EXPECT_EQ(o.effective_etag_style(), EtagStyle::weak);
}

TEST(CoreOptions, TokensComeFromSecretSpecsAndAreRedacted) {
    ::setenv("CONFLICTLAB_TEST_RESOURCE_TOKEN", "s3cret-resource", 1);
    ::setenv("CONFLICTLAB_TEST_ADMIN_TOKEN", "s3cret-admin", 1);
    const CoreOptions o =
        parse_core_options({{"resource_token", "env:CONFLICTLAB_TEST_RESOURCE_TOKEN"},
                            {"admin_token", "env:CONFLICTLAB_TEST_ADMIN_TOKEN"}});
    EXPECT_EQ(o.resource_token, "s3cret-resource");
    EXPECT_EQ(o.admin_token, "s3cret-admin");
    const std::string text = to_json(o).dump();
    EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
    EXPECT_EQ(to_json(o)["resource_token"], "<redacted>");
    EXPECT_EQ(to_json(o)["admin_token"], "<redacted>");
    EXPECT_TRUE(to_json(CoreOptions{})["admin_token"].is_null());
}

TEST(CoreOptions, MissingSecretNamesTheFieldNotAValue) {
    ::unsetenv("CONFLICTLAB_TEST_ABSENT");
    const std::string error = error_of({{"admin_token", "env:CONFLICTLAB_TEST_ABSENT"}});
    EXPECT_EQ(error.rfind("admin_token: ", 0), 0u) << error;
    EXPECT_NE(error.find("CONFLICTLAB_TEST_ABSENT"), std::string::npos) << error;
}

TEST(CoreOptions, ToJsonRoundTripsWithoutTokens) {
    CoreOptions o;
    o.dialect = Dialect::body_version;
    o.busy_window = std::chrono::milliseconds(40);
    o.etag_scheme = EtagScheme::hash;
    o.version_pointer = "/_rev";
    json doc = to_json(o);
    doc.erase("resource_token");
    doc.erase("admin_token");
    const CoreOptions back = parse_core_options(doc);
    EXPECT_EQ(to_json(back), to_json(o));
}

}  // namespace
}  // namespace conflictlab::mock
