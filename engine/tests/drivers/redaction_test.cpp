#include <gtest/gtest.h>

#include "conflictlab/engine/http_target.hpp"

using namespace conflictlab;
using namespace conflictlab::engine;

TEST(Redaction, AuthorizationKeepsSchemeMasksCredential) {
    HeaderFields h{{"authorization", "Bearer s3cr3t-token"},
                   {"Proxy-Authorization", "Basic dXNlcjpwYXNz"},
                   {"Cookie", "session=abc"},
                   {"If-Match", "\"v1\""}};
    HeaderFields r = redacted_headers(h);
    EXPECT_EQ(r.get("Authorization"), "Bearer ***");
    EXPECT_EQ(r.get("Proxy-Authorization"), "Basic ***");
    EXPECT_EQ(r.get("Cookie"), "***");
    EXPECT_EQ(r.get("If-Match"), "\"v1\"");
    // Names and order are kept.
    EXPECT_EQ(r.fields()[0].first, "authorization");
}

TEST(Redaction, CredentialWithoutSchemeIsMaskedWhole) {
    HeaderFields r = redacted_headers(HeaderFields{{"Authorization", "rawtoken"}});
    EXPECT_EQ(r.get("Authorization"), "***");
}

TEST(Redaction, ScrubSecretReplacesEveryOccurrence) {
    EXPECT_EQ(scrub_secret("token=s3cr3t and again s3cr3t.", "s3cr3t"), "token=*** and again ***.");
    // Too short to search for safely: left alone.
    EXPECT_EQ(scrub_secret("abc abc", "abc"), "abc abc");
}

TEST(Redaction, ScrubOutcomeCoversEveryStringField) {
    const std::string secret = "tok-123456";
    Outcome o;
    o.detail = "server said: bad token tok-123456";
    o.notes = {"echo tok-123456"};
    o.steps.push_back(StepTiming{"write", Timestamp{0}, Timestamp{1}, 0, "reset tok-123456"});
    o.final_body = nlohmann::json{{"a", "tok-123456"}, {"list", {"x", "tok-123456"}}};
    o.delta = nlohmann::json{{"current", {{"auth", "Bearer tok-123456"}}}};
    o.token_after = "tok-123456";
    scrub_secret(o, secret);
    EXPECT_EQ(to_json(o).dump().find(secret), std::string::npos);
    EXPECT_EQ(o.detail, "server said: bad token ***");
    EXPECT_EQ((*o.delta)["current"]["auth"], "Bearer ***");
}
