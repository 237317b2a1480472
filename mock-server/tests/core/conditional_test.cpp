// RFC 9110 13.1.1 If-Match (strong comparison) and 13.1.2 If-None-Match (weak
// comparison), through the handler. The RFC 9110 8.8.3.2 table:
//   ETag 1   ETag 2   Strong Comparison   Weak Comparison
//   W/"1"    W/"1"    no match            match
//   W/"1"    W/"2"    no match            no match
//   W/"1"    "1"      no match            match
//   "1"      "1"      match               match

#include "test_support.hpp"

namespace conflictlab::mock::testing {
namespace {

class Conditional : public CoreTest {
  protected:
    // A write with a body sent as is (possibly not JSON) and one conditional
    // header (none when `condition` is empty).
    Response raw_write(std::string method, std::string target, std::string content_type,
                       std::string condition, std::string value, std::string body) {
        HeaderFields h;
        h.add("Content-Type", std::move(content_type));
        if (!condition.empty())
            h.add(std::move(condition), std::move(value));
        return send(std::move(method), std::move(target), std::move(body), std::move(h));
    }
};

TEST_F(Conditional, Rfc9110_IfMatch_StrongTagMatchesCurrent) {
    const auto token = etag_token(create("a"));
    const auto r = put("/resources/a", {{"n", 1}}, {{"If-Match", "\"" + token + "\""}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(etag_token(r), token);
}

TEST_F(Conditional, Rfc9110_IfMatch_WeakTagNeverMatches) {
    const auto token = etag_token(create("a"));
    const auto r = put("/resources/a", {{"n", 1}}, {{"If-Match", "W/\"" + token + "\""}});
    EXPECT_EQ(r.status, 412);
    EXPECT_EQ(get("/resources/a").body, R"({"n":0})");
}

TEST_F(Conditional, Rfc9110_IfMatch_WeakTagMatchesWhenLenient) {
    CoreOptions o;
    o.lenient_weak_match = true;
    start(o);
    const auto token = etag_token(create("a"));
    EXPECT_EQ(put("/resources/a", {{"n", 1}}, {{"If-Match", "W/\"" + token + "\""}}).status, 200);
}

TEST_F(Conditional, Rfc9110_IfMatch_DifferentTagFailsWithCurrentEtag) {
    const auto created = create("a");
    const auto r = put("/resources/a", {{"n", 1}}, {{"If-Match", "\"nope\""}});
    EXPECT_EQ(r.status, 412);
    EXPECT_EQ(header(r, "Content-Type"), "application/problem+json");
    const json problem = body_json(r);
    EXPECT_EQ(problem["status"], 412);
    EXPECT_EQ(problem["title"], "Precondition Failed");
    EXPECT_EQ(problem["instance"], "/resources/a");
    EXPECT_EQ(problem["current_etag"], header(created, "ETag"));
    EXPECT_EQ(problem["type"], "urn:conflictlab:problem:precondition-failed");
}

TEST_F(Conditional, Rfc9110_IfMatch_ListMatchesWhenAnyMemberMatches) {
    const auto token = etag_token(create("a"));
    const auto r = put("/resources/a", {{"n", 1}},
                       {{"If-Match", "\"x\", W/\"" + token + "\", \"" + token + "\""}});
    EXPECT_EQ(r.status, 200);
}

TEST_F(Conditional, Rfc9110_IfMatch_RepeatedFieldsAreCombined) {
    const auto token = etag_token(create("a"));
    const auto r =
        put("/resources/a", {{"n", 1}}, {{"If-Match", "\"x\""}, {"If-Match", "\"" + token + "\""}});
    EXPECT_EQ(r.status, 200);
}

TEST_F(Conditional, Rfc9110_IfMatch_UnquotedTagIsTolerated) {
    const auto token = etag_token(create("a"));
    EXPECT_EQ(put("/resources/a", {{"n", 1}}, {{"If-Match", token}}).status, 200);
}

TEST_F(Conditional, Rfc9110_IfMatch_StarMatchesAnExistingResource) {
    create("a");
    EXPECT_EQ(put("/resources/a", {{"n", 1}}, {{"If-Match", "*"}}).status, 200);
}

TEST_F(Conditional, Rfc9110_IfMatch_StarFailsOnMissingResource) {
    const auto r = put("/resources/a", {{"n", 1}}, {{"If-Match", "*"}});
    EXPECT_EQ(r.status, 412);
    EXPECT_EQ(get("/resources/a").status, 404);
}

TEST_F(Conditional, Rfc9110_IfMatch_AnyTagFailsOnMissingResource) {
    EXPECT_EQ(put("/resources/a", {{"n", 1}}, {{"If-Match", "\"1\""}}).status, 412);
}

TEST_F(Conditional, IfMatchMismatchUsesConfiguredConflictStatus) {
    CoreOptions o;
    o.conflict_status = 409;
    start(o);
    create("a");
    const auto r = put("/resources/a", {{"n", 1}}, {{"If-Match", "\"stale\""}});
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(body_json(r)["title"], "Conflict");
    EXPECT_TRUE(body_json(r).contains("current_etag"));
}

TEST_F(Conditional, MalformedIfMatchIs400NamingTheHeader) {
    create("a");
    const auto r = put("/resources/a", {{"n", 1}}, {{"If-Match", "\"unterminated"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(body_json(r)["detail"].get<std::string>().find("If-Match"), std::string::npos);
    EXPECT_EQ(get("/resources/a").body, R"({"n":0})");
}

TEST_F(Conditional, MalformedIfNoneMatchIs400NamingTheHeader) {
    const auto r = get("/resources/a", {{"If-None-Match", "*, \"x\""}});
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(body_json(r)["detail"].get<std::string>().find("If-None-Match"), std::string::npos);
}

TEST_F(Conditional, Rfc9110_IfNoneMatch_WeakComparisonGives304) {
    const auto created = create("a");
    const auto token = etag_token(created);
    for (const std::string& sent : {"\"" + token + "\"", "W/\"" + token + "\"", std::string("*")}) {
        const auto r = get("/resources/a", {{"If-None-Match", sent}});
        EXPECT_EQ(r.status, 304) << sent;
        EXPECT_EQ(header(r, "ETag"), header(created, "ETag"));
        EXPECT_TRUE(r.body.empty());
    }
}

TEST_F(Conditional, Rfc9110_IfNoneMatch_DifferentTagGives200) {
    create("a");
    EXPECT_EQ(get("/resources/a", {{"If-None-Match", "W/\"other\""}}).status, 200);
}

TEST_F(Conditional, Rfc9110_IfNoneMatch_StarOnPutIsCreateOnly) {
    EXPECT_EQ(put("/resources/a", {{"n", 1}}, {{"If-None-Match", "*"}}).status, 201);
    const auto r = put("/resources/a", {{"n", 2}}, {{"If-None-Match", "*"}});
    EXPECT_EQ(r.status, 412);
    EXPECT_EQ(get("/resources/a").body, R"({"n":1})");
}

TEST_F(Conditional, Rfc9110_IfMatch_OnGetFailsWith412) {
    create("a");
    EXPECT_EQ(get("/resources/a", {{"If-Match", "\"stale\""}}).status, 412);
}

TEST_F(Conditional, EtagIssuedBeforeStyleOrSchemeSwitchStaysMatchable) {
    const auto token = etag_token(create("a"));
    ASSERT_EQ(send("PUT", "/_admin/etag-style", R"({"style":"unquoted","scheme":"uuid"})").status,
              200);
    // The current token is still the counter one, now shown unquoted.
    EXPECT_EQ(header(get("/resources/a"), "ETag"), token);
    const auto r = put("/resources/a", {{"n", 1}}, {{"If-Match", "\"" + token + "\""}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(etag_token(r).size(), 36u);  // a uuid from now on
}

// RFC 9110 13.2.1: preconditions are evaluated before the content is
// processed, so a stale write is a 412 whatever its body, and the body of a
// write that cannot pass is never parsed (most writes of a contended run).
TEST_F(Conditional, Rfc9110_StaleIfMatchIs412BeforeTheBodyIsRead) {
    create("a");
    const auto r =
        raw_write("PUT", "/resources/a", "application/json", "If-Match", "\"stale\"", "{not json");
    EXPECT_EQ(r.status, 412) << r.body;
    EXPECT_EQ(get("/resources/a").body, R"({"n":0})");
}

TEST_F(Conditional, Rfc9110_IfNoneMatchStarOnExistingIs412BeforeTheBodyIsRead) {
    create("a");
    EXPECT_EQ(
        raw_write("PUT", "/resources/a", "application/json", "If-None-Match", "*", "[1,").status,
        412);
}

TEST_F(Conditional, PatchOfAMissingResourceIs404BeforeThePatchIsRead) {
    EXPECT_EQ(
        raw_write("PATCH", "/resources/nobody", "application/merge-patch+json", {}, {}, "{not json")
            .status,
        404);
}

TEST_F(Conditional, StalePatchIs412BeforeThePatchIsRead) {
    create("a");
    EXPECT_EQ(raw_write("PATCH", "/resources/a", "application/json-patch+json", "If-Match",
                        "\"stale\"", "{not a patch")
                  .status,
              412);
}

TEST_F(Conditional, BadBodyWithCurrentIfMatchIsStill400) {
    const auto token = etag_token(create("a"));
    const auto r = raw_write("PUT", "/resources/a", "application/json", "If-Match",
                             "\"" + token + "\"", "{not json");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(get("/resources/a").body, R"({"n":0})");
}

}  // namespace
}  // namespace conflictlab::mock::testing
