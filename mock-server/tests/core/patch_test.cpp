// PATCH with RFC 7396 merge patch and RFC 6902 JSON Patch. A patch document
// that is malformed is a 400 (RFC 5789 2.2); a well-formed patch that cannot
// be applied to the resource (failed `test`, missing path, non-object result)
// is a 422 Unprocessable Content. Either way the resource is unchanged.

#include "test_support.hpp"

namespace conflictlab::mock::testing {
namespace {

constexpr const char* kMerge = "application/merge-patch+json";
constexpr const char* kJsonPatch = "application/json-patch+json";

class Patch : public CoreTest {};

TEST_F(Patch, Rfc7396_MergePatchMergesAndNullRemoves) {
    create("a", {{"a", 1}, {"b", {{"c", 2}, {"d", 3}}}});
    const auto r = patch("/resources/a", {{"a", nullptr}, {"b", {{"c", 5}}}, {"e", true}}, kMerge);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(body_json(r), json({{"b", {{"c", 5}, {"d", 3}}}, {"e", true}}));
    EXPECT_EQ(header(r, "ETag"), "\"2\"");
    EXPECT_EQ(get("/resources/a").body, body_json(r).dump());
}

TEST_F(Patch, Rfc6902_JsonPatchAppliesOperationsInOrder) {
    create("a", {{"list", {1, 2}}, {"x", 1}});
    const json ops = json::array({{{"op", "test"}, {"path", "/x"}, {"value", 1}},
                                  {{"op", "add"}, {"path", "/list/-"}, {"value", 3}},
                                  {{"op", "remove"}, {"path", "/x"}}});
    const auto r = patch("/resources/a", ops, kJsonPatch);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(body_json(r), json({{"list", {1, 2, 3}}}));
}

TEST_F(Patch, Rfc6902_FailingTestOpIs422AndChangesNothing) {
    create("a", {{"x", 1}});
    const json ops = json::array({{{"op", "replace"}, {"path", "/x"}, {"value", 7}},
                                  {{"op", "test"}, {"path", "/x"}, {"value", 2}}});
    const auto r = patch("/resources/a", ops, kJsonPatch);
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(body_json(r)["type"], "urn:conflictlab:problem:unprocessable-patch");
    EXPECT_EQ(get("/resources/a").body, R"({"x":1})");
    EXPECT_EQ(history("a")["entries"].size(), 1u);
}

TEST_F(Patch, Rfc6902_MissingPathIs422) {
    create("a", {{"x", 1}});
    const json ops = json::array({{{"op", "remove"}, {"path", "/nope"}}});
    EXPECT_EQ(patch("/resources/a", ops, kJsonPatch).status, 422);
}

TEST_F(Patch, Rfc6902_MalformedOperationIs400) {
    create("a", {{"x", 1}});
    EXPECT_EQ(
        patch("/resources/a", json::array({{{"op", "frobnicate"}, {"path", "/x"}}}), kJsonPatch)
            .status,
        400);
    EXPECT_EQ(patch("/resources/a", {{"op", "add"}}, kJsonPatch).status, 400);  // not an array
    EXPECT_EQ(get("/resources/a").body, R"({"x":1})");
}

TEST_F(Patch, ResultMustStayAnObject) {
    create("a", {{"x", 1}});
    EXPECT_EQ(patch("/resources/a", json::array({{{"op", "replace"}, {"path", ""}, {"value", 3}}}),
                    kJsonPatch)
                  .status,
              422);
    EXPECT_EQ(patch("/resources/a", json(5), kMerge).status, 422);
    EXPECT_EQ(get("/resources/a").body, R"({"x":1})");
}

TEST_F(Patch, Rfc5789_OtherMediaTypeIs415WithAcceptPatch) {
    create("a");
    const auto r = patch("/resources/a", {{"x", 1}}, "application/json");
    EXPECT_EQ(r.status, 415);
    EXPECT_EQ(header(r, "Accept-Patch"),
              "application/merge-patch+json, application/json-patch+json");
}

TEST_F(Patch, MissingResourceIs404) {
    EXPECT_EQ(patch("/resources/a", {{"x", 1}}, kMerge).status, 404);
    EXPECT_EQ(get("/resources/a").status, 404);
}

TEST_F(Patch, HonoursIfMatch) {
    const auto token = etag_token(create("a"));
    EXPECT_EQ(patch("/resources/a", {{"x", 1}}, kMerge, {{"If-Match", "\"stale\""}}).status, 412);
    EXPECT_EQ(patch("/resources/a", {{"x", 1}}, kMerge, {{"If-Match", "\"" + token + "\""}}).status,
              200);
}

TEST_F(Patch, MediaTypeParametersAndCaseAreIgnored) {
    create("a");
    EXPECT_EQ(
        patch("/resources/a", {{"x", 1}}, "Application/Merge-Patch+JSON; charset=utf-8").status,
        200);
}

}  // namespace
}  // namespace conflictlab::mock::testing
