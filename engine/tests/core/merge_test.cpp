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

// The set is keyed by JSON equality, which compares numbers by value across
// nlohmann's three number types: 1 (parsed, unsigned), 1 (built, signed) and
// 1.0 are one element. A hash that mixed in the type (nlohmann's std::hash
// does) would see ours' 1.0 as a removal of the 1 that base and theirs hold,
// and as an addition of its own.
TEST(ThreeWayMerge, SetMergeTreatsEqualNumbersOfAnyTypeAsOneElement) {
    MergeOptions o;
    o.set_merge_pointers = {"/s"};
    const json base = {{"s", json::array({json(std::uint64_t{1})})}};
    const json ours = {{"s", json::array({json(1.0), json(std::int64_t{2})})}};
    const json theirs = {{"s", json::array({json(std::uint64_t{1}), json(std::uint64_t{3})})}};
    auto r = merge3(base, ours, theirs, o);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.merged["s"], (json{1, 3, 2}));
}

TEST(ThreeWayMerge, SetMergeComparesObjectElementsByValue) {
    MergeOptions o;
    o.set_merge_pointers = {"/s"};
    const json a = {{"id", 1}, {"tags", {"x", "y"}}};
    const json b = {{"id", 2}};
    const json c = {{"id", 3}};
    auto r = merge3({{"s", {a, b}}}, {{"s", {a, c}}}, {{"s", {b, a, a}}}, o);
    ASSERT_TRUE(r.ok);
    // theirs minus ours' removal of b, deduplicated, then ours' addition c.
    EXPECT_EQ(r.merged["s"], (json{a, c}));
}

// Append-style fields grow with every write; the merge of a 20,000-element
// set keeps theirs' order, applies ours' one removal and one addition.
TEST(ThreeWayMerge, SetMergeOfLargeArraysKeepsOrderAndEveryChange) {
    MergeOptions o;
    o.set_merge_pointers = {"/items"};
    json base_items = json::array();
    for (int i = 0; i < 20'000; ++i)
        base_items.push_back("item-" + std::to_string(i));
    json ours_items = base_items;
    ours_items.erase(ours_items.begin() + 7);  // ours removes item-7
    ours_items.push_back("ours-new");
    json theirs_items = base_items;
    theirs_items.push_back("theirs-new");
    auto r = merge3({{"items", base_items}}, {{"items", ours_items}}, {{"items", theirs_items}}, o);
    ASSERT_TRUE(r.ok);
    const json& merged = r.merged["items"];
    ASSERT_EQ(merged.size(), 20'001u);
    EXPECT_EQ(merged[6], "item-6");
    EXPECT_EQ(merged[7], "item-8");
    EXPECT_EQ(merged[19'998], "item-19999");
    EXPECT_EQ(merged[19'999], "theirs-new");
    EXPECT_EQ(merged[20'000], "ours-new");
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
