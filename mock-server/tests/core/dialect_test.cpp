// Dialects: the body-version token (CouchDB "_rev", Kubernetes
// "metadata.resourceVersion"), RFC 6585 428 Precondition Required, and the
// busy window, all on a ManualClock.

#include "test_support.hpp"

namespace conflictlab::mock::testing {
namespace {

class BodyVersion : public CoreTest {
  protected:
    void start_with(std::string pointer) {
        CoreOptions o;
        o.dialect = Dialect::body_version;
        o.version_pointer = std::move(pointer);
        start(o);
    }
};

TEST_F(BodyVersion, HistoryRecordsTheBodyTokenAsTheNamedPrecondition) {
    start_with("/_rev");
    json doc = body_json(create("doc", {{"n", 0}}));
    const std::string rev = doc["_rev"];
    doc["n"] = 1;
    ASSERT_EQ(put("/resources/doc", doc).status, 200);
    const json h = history("doc");
    const json& e = h["entries"];
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[1]["named_etag"], rev);
    EXPECT_EQ(e[1]["conditional"], true);
    EXPECT_EQ(e[1]["replaced_etag"], rev);
}

TEST_F(BodyVersion, CouchDbRevIsWrittenIntoTheBodyAndTheEtag) {
    start_with("/_rev");
    const auto r = create("doc", {{"title", "x"}});
    const json body = body_json(r);
    ASSERT_TRUE(body.contains("_rev"));
    EXPECT_EQ(body["_rev"], etag_token(r));
    const auto g = get("/resources/doc");
    EXPECT_EQ(body_json(g)["_rev"], etag_token(g));
}

TEST_F(BodyVersion, UpdateWithCurrentTokenSucceedsAndGetsANewOne) {
    start_with("/_rev");
    json doc = body_json(create("doc", {{"title", "x"}}));
    doc["title"] = "y";
    const auto r = put("/resources/doc", doc);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(body_json(r)["_rev"], doc["_rev"]);
    EXPECT_EQ(body_json(r)["title"], "y");
}

TEST_F(BodyVersion, StaleTokenIs409WithCouchDbLikeBody) {
    start_with("/_rev");
    json doc = body_json(create("doc", {{"title", "x"}}));
    const json stale = doc;
    doc["title"] = "y";
    ASSERT_EQ(put("/resources/doc", doc).status, 200);
    const auto r = put("/resources/doc", stale);
    EXPECT_EQ(r.status, 409);
    const json problem = body_json(r);
    EXPECT_EQ(problem["error"], "conflict");
    EXPECT_EQ(problem["reason"], "Document update conflict.");
    EXPECT_EQ(problem["status"], 409);
    EXPECT_EQ(problem["current_version"], etag_token(get("/resources/doc")));
    EXPECT_EQ(body_json(get("/resources/doc"))["title"], "y");
}

TEST_F(BodyVersion, MissingTokenIs409) {
    start_with("/_rev");
    create("doc", {{"title", "x"}});
    EXPECT_EQ(put("/resources/doc", {{"title", "blind"}}).status, 409);
}

TEST_F(BodyVersion, TokenOnCreateNamesNoVersionIs409) {
    start_with("/_rev");
    EXPECT_EQ(put("/resources/doc", {{"_rev", "1"}, {"t", 1}}).status, 409);
    EXPECT_EQ(get("/resources/doc").status, 404);
}

TEST_F(BodyVersion, KubernetesResourceVersionIsNested) {
    start_with("/metadata/resourceVersion");
    json obj = body_json(create("pod", {{"spec", {{"replicas", 1}}}}));
    ASSERT_TRUE(obj["metadata"]["resourceVersion"].is_string()) << obj.dump();
    obj["spec"]["replicas"] = 2;
    const auto r = put("/resources/pod", obj);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(body_json(r)["metadata"]["resourceVersion"], etag_token(r));
    EXPECT_EQ(put("/resources/pod", obj).status, 409);  // obj's token is now stale
}

TEST_F(BodyVersion, TokenParentThatIsNotAnObjectIs400) {
    start_with("/metadata/resourceVersion");
    const auto r = put("/resources/pod", {{"metadata", "oops"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(get("/resources/pod").status, 404);
}

TEST_F(BodyVersion, MergePatchWithoutTokenIsUnconditionalWithStaleTokenIs409) {
    start_with("/_rev");
    const json doc = body_json(create("doc", {{"n", 1}}));
    const auto ok = patch("/resources/doc", {{"n", 2}}, "application/merge-patch+json");
    EXPECT_EQ(ok.status, 200) << ok.body;
    const auto stale =
        patch("/resources/doc", {{"n", 3}, {"_rev", doc["_rev"]}}, "application/merge-patch+json");
    EXPECT_EQ(stale.status, 409);
    EXPECT_EQ(body_json(get("/resources/doc"))["n"], 2);
}

TEST_F(BodyVersion, JsonPatchTestOfStaleTokenIs409) {
    start_with("/_rev");
    create("doc", {{"n", 1}});
    const json ops = json::array({{{"op", "test"}, {"path", "/_rev"}, {"value", "stale"}},
                                  {{"op", "replace"}, {"path", "/n"}, {"value", 2}}});
    EXPECT_EQ(patch("/resources/doc", ops, "application/json-patch+json").status, 409);
}

TEST_F(BodyVersion, IfMatchIsHonouredToo) {
    start_with("/_rev");
    const json doc = body_json(create("doc", {{"n", 1}}));
    EXPECT_EQ(put("/resources/doc", doc, {{"If-Match", "\"stale\""}}).status, 412);
}

class RequirePrecondition : public CoreTest {
  protected:
    void SetUp() override {
        CoreOptions o;
        o.require_precondition = true;
        start(o);
    }
};

TEST_F(RequirePrecondition, Rfc6585_UnconditionalWritesToExistingResourceAre428) {
    create("a");  // creation needs no precondition
    for (const auto& r :
         {put("/resources/a", {{"n", 1}}),
          patch("/resources/a", {{"n", 1}}, "application/merge-patch+json"), del("/resources/a")}) {
        EXPECT_EQ(r.status, 428);
        EXPECT_EQ(body_json(r)["type"], "urn:conflictlab:problem:precondition-required");
    }
    EXPECT_EQ(get("/resources/a").body, R"({"n":0})");
}

TEST_F(RequirePrecondition, ConditionalWriteIsAccepted) {
    const auto token = etag_token(create("a"));
    EXPECT_EQ(put("/resources/a", {{"n", 1}}, {{"If-Match", "\"" + token + "\""}}).status, 200);
}

TEST_F(RequirePrecondition, BodyTokenCountsAsAPrecondition) {
    CoreOptions o;
    o.require_precondition = true;
    o.dialect = Dialect::body_version;
    start(o);
    json doc = body_json(create("a", {{"n", 0}}));
    doc["n"] = 1;
    EXPECT_EQ(put("/resources/a", doc).status, 200);
    EXPECT_EQ(put("/resources/a", {{"n", 2}}).status, 428);
}

class BusyWindow : public CoreTest {
  protected:
    void SetUp() override {
        CoreOptions o;
        o.busy_window = std::chrono::milliseconds(100);
        start(o);
    }
};

TEST_F(BusyWindow, WriteInsideTheWindowIs409Busy) {
    create("a");
    clock_.advance(std::chrono::milliseconds(99));
    const auto r = put("/resources/a", {{"n", 1}});
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(body_json(r)["type"], "urn:conflictlab:problem:resource-busy");
    EXPECT_EQ(body_json(r)["busy_for_ms"], 1);
    EXPECT_NE(body_json(r)["detail"].get<std::string>().find("resource busy"), std::string::npos);
    clock_.advance(std::chrono::milliseconds(1));
    EXPECT_EQ(put("/resources/a", {{"n", 1}}).status, 200);
}

TEST_F(BusyWindow, ReadsAreNeverBusy) {
    create("a");
    EXPECT_EQ(get("/resources/a").status, 200);
}

TEST_F(BusyWindow, OtherResourcesAreNotBusy) {
    create("a");
    EXPECT_EQ(put("/resources/b", {{"n", 1}}).status, 201);
}

TEST_F(BusyWindow, ARejectedWriteDoesNotExtendTheWindow) {
    create("a");
    clock_.advance(std::chrono::milliseconds(60));
    EXPECT_EQ(put("/resources/a", {{"n", 1}}).status, 409);
    clock_.advance(std::chrono::milliseconds(40));
    EXPECT_EQ(put("/resources/a", {{"n", 1}}).status, 200);
}

// The body-version token is in the content, so the content is read first: a
// malformed body is a 400 there even when the resource exists.
TEST_F(BodyVersion, MalformedBodyIs400BecauseTheTokenIsInIt) {
    start_with("/_rev");
    create("a");
    HeaderFields h;
    h.add("Content-Type", "application/json");
    EXPECT_EQ(send("PUT", "/resources/a", "{not json", h).status, 400);
}

}  // namespace
}  // namespace conflictlab::mock::testing
