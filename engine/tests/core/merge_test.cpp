// three_way_merge, overlay and create_merge_patch, with RFC 7396 (as
// implemented by nlohmann::json::merge_patch) as the reference.
#include "conflictlab/engine/merge.hpp"

#include <gtest/gtest.h>

namespace conflictlab::engine {
namespace {

using nlohmann::json;

MergeResult merge3(const json& base, const json& ours, const json& theirs,
                   MergeOptions options = {}) {
    return three_way_merge(base, ours, theirs, options);
}

TEST(ThreeWayMerge, OneSidedChangesTakeThatSide) {
    auto r = merge3({{"a", 1}, {"b", 1}}, {{"a", 2}, {"b", 1}}, {{"a", 1}, {"b", 3}});
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.merged, (json{{"a", 2}, {"b", 3}}));
    EXPECT_TRUE(r.conflicts.empty());
}

TEST(ThreeWayMerge, AdditionsAndRemovalsOnEitherSide) {
    auto r = merge3({{"keep", 1}, {"drop_ours", 1}, {"drop_theirs", 1}},
                    {{"keep", 1}, {"drop_theirs", 1}, {"new_ours", 1}},
                    {{"keep", 1}, {"drop_ours", 1}, {"new_theirs", 1}});
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.merged, (json{{"keep", 1}, {"new_ours", 1}, {"new_theirs", 1}}));
}

TEST(ThreeWayMerge, NestedObjectsMergeRecursively) {
    json base = {{"o", {{"x", 1}, {"y", 1}}}};
    auto r = merge3(base, {{"o", {{"x", 2}, {"y", 1}}}}, {{"o", {{"x", 1}, {"y", 3}}}});
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.merged, (json{{"o", {{"x", 2}, {"y", 3}}}}));
}

TEST(ThreeWayMerge, SameChangeOnBothSidesIsNotAConflict) {
    auto r = merge3({{"a", 1}}, {{"a", 2}}, {{"a", 2}});
    ASSERT_TRUE(r.ok);
    EXPECT_TRUE(r.conflicts.empty());
    EXPECT_EQ(r.merged, (json{{"a", 2}}));
}

TEST(ThreeWayMerge, NullIsAValueDistinctFromAbsent) {
    auto r = merge3({{"a", 1}}, {{"a", nullptr}}, {{"a", 1}, {"b", 2}});
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.merged, (json{{"a", nullptr}, {"b", 2}}));
}

TEST(ThreeWayMerge, FieldRulesLongestPointerWins) {
    MergeOptions o;
    o.field_rules.default_rule = FieldRule::ours;
    o.field_rules.by_pointer["/o"] = FieldRule::theirs;
    o.field_rules.by_pointer["/o/keep"] = FieldRule::ours;
    json base = {{"o", {{"keep", 0}, {"z", 0}}}, {"t", 0}};
    json ours = {{"o", {{"keep", 1}, {"z", 1}}}, {"t", 1}};
    json theirs = {{"o", {{"keep", 2}, {"z", 2}}}, {"t", 2}};
    auto r = merge3(base, ours, theirs, o);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.merged, (json{{"o", {{"keep", 1}, {"z", 2}}}, {"t", 1}}));
    EXPECT_EQ(r.conflicts, (std::vector<std::string>{"/o/keep", "/o/z", "/t"}));
    EXPECT_EQ(r.lost, std::vector<std::string>{"/o/z"});
}

TEST(ThreeWayMerge, NewerWinsFollowsTheTimestampsAndTiesGoToTheirs) {
    MergeOptions o;
    for (auto [newer, expected] : {std::pair{Newer::ours, 1}, std::pair{Newer::theirs, 2},
                                   std::pair{Newer::same, 2}, std::pair{Newer::unknown, 1}}) {
        o.newer = newer;
        auto r = merge3({{"a", 0}}, {{"a", 1}}, {{"a", 2}}, o);
        EXPECT_EQ(r.merged["a"], expected) << static_cast<int>(newer);
    }
}

TEST(ThreeWayMerge, PointersAreEscapedPerRfc6901) {
    MergeOptions o;
    o.field_rules.by_pointer["/a~1b/c~0d"] = FieldRule::fail;
    auto r = merge3({{"a/b", {{"c~d", 0}}}}, {{"a/b", {{"c~d", 1}}}}, {{"a/b", {{"c~d", 2}}}}, o);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.failed_pointer, "/a~1b/c~0d");
}

TEST(ThreeWayMerge, SetMergeKeepsBothSidesAndDeduplicates) {
    MergeOptions o;
    o.set_merge_pointers = {"/s"};
    auto r = merge3({{"s", {1, 2, 3}}}, {{"s", {1, 3, 4, 5}}}, {{"s", {1, 2, 3, 5, 6}}}, o);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.merged["s"], (json{1, 3, 5, 6, 4}));
}

TEST(ThreeWayMerge, SetMergeWithoutBaseArrayTreatsBaseAsEmpty) {
    MergeOptions o;
    o.set_merge_pointers = {"/s"};
    auto r = merge3(json::object(), {{"s", {"a"}}}, {{"s", {"b"}}}, o);
    EXPECT_EQ(r.merged["s"], (json{"b", "a"}));
}

TEST(ThreeWayMerge, GuardChangedByTheirs_Irreconcilable) {
    MergeOptions o;
    o.guard_pointers = {"/type"};
    auto r = merge3({{"type", "a"}}, {{"type", "a"}, {"x", 1}}, {{"type", "b"}}, o);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail, "guard field /type changed (base \"a\", current \"b\")");
}

TEST(ThreeWayMerge, GuardRemovedByTheirs_Irreconcilable) {
    MergeOptions o;
    o.guard_pointers = {"/type"};
    auto r = merge3({{"type", "a"}}, {{"type", "a"}}, json::object(), o);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.detail, "guard field /type changed (base \"a\", current (absent))");
}

TEST(Overlay, PutSemanticsKeepUntouchedFieldsAndNullIsAValue) {
    json cur = {{"a", 1}, {"b", 2}, {"o", {{"x", 1}}}};
    EXPECT_EQ(overlay(cur, {{"a", nullptr}, {"o", {{"y", 2}}}}, {}, false),
              (json{{"a", nullptr}, {"b", 2}, {"o", {{"x", 1}, {"y", 2}}}}));
}

// RFC 7396 section 3 example.
TEST(Rfc7396_MergePatch, PatchSemanticsMatchNlohmannReference) {
    json target = R"({"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},
                      "tags":["example","sample"],"content":"This will be unchanged"})"_json;
    json patch = R"({"title":"Hello!","phoneNumber":"+01-123-456-7890",
                     "author":{"familyName":null},"tags":["example"]})"_json;
    json reference = target;
    reference.merge_patch(patch);
    EXPECT_EQ(overlay(target, patch, {}, true), reference);
}

TEST(Rfc7396_MergePatch, CreateMergePatchRoundTripsThroughTheReference) {
    json from = {{"a", 1}, {"b", {{"c", 2}, {"d", 3}}}, {"gone", true}, {"arr", {1, 2}}};
    json to = {{"a", 1}, {"b", {{"c", 5}}}, {"new", "x"}, {"arr", {2}}};
    json patch = create_merge_patch(from, to);
    EXPECT_EQ(
        patch,
        (json{{"b", {{"c", 5}, {"d", nullptr}}}, {"gone", nullptr}, {"new", "x"}, {"arr", {2}}}));
    json applied = from;
    applied.merge_patch(patch);
    EXPECT_EQ(applied, to);
}

TEST(Rfc7396_MergePatch, NonObjectsReplaceWhole) {
    EXPECT_EQ(create_merge_patch(json{1, 2}, json{{"a", 1}}), (json{{"a", 1}}));
    EXPECT_EQ(create_merge_patch(json{{"a", 1}}, json(5)), json(5));
}

}  // namespace
}  // namespace conflictlab::engine
