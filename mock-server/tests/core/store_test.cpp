// Store: versions, the write decision under the shard lock, history (chain,
// cap, dropped count), listing order and reset.

#include "conflictlab/mock/store.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace conflictlab::mock {
namespace {

using nlohmann::json;

WallTime at(int s) {
    return WallTime{} + std::chrono::seconds(s);
}

// Writes `body` with `token` unconditionally.
VersionPtr put(Store& store, std::string_view id, json body, std::string token,
               std::string_view writer = "w") {
    auto decide = [&](const VersionPtr& current) -> VersionPtr {
        return make_next_version(current, body, token, at(1), SteadyTime{});
    };
    return store.write(id, {"PUT", writer, "op"}, decide);
}

VersionPtr remove(Store& store, std::string_view id) {
    auto decide = [&](const VersionPtr& current) -> VersionPtr {
        return current && current->live() ? make_tombstone(current, at(2), SteadyTime{}) : nullptr;
    };
    return store.write(id, {"DELETE", "w", "op"}, decide);
}

TEST(Store, WriteThenGetReturnsTheVersionWithSerializedBody) {
    Store store;
    auto v = put(store, "a", {{"x", 1}}, "t1");
    ASSERT_TRUE(v);
    auto got = store.get("a");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->version, 1u);
    EXPECT_EQ(got->etag, "t1");
    EXPECT_EQ(got->body_text, R"({"x":1})");
    EXPECT_EQ(store.get("b"), nullptr);
}

TEST(Store, DecliningDecisionChangesNothing) {
    Store store;
    put(store, "a", {{"x", 1}}, "t1");
    auto decline = [](const VersionPtr&) -> VersionPtr { return nullptr; };
    EXPECT_EQ(store.write("a", {"PUT", "w", "op"}, decline), nullptr);
    EXPECT_EQ(store.get("a")->etag, "t1");
    EXPECT_EQ(store.history("a")->entries.size(), 1u);
}

TEST(Store, ThrowingDecisionChangesNothing) {
    Store store;
    auto boom = [](const VersionPtr&) -> VersionPtr { throw std::runtime_error("boom"); };
    EXPECT_THROW(store.write("a", {"PUT", "w", "op"}, boom), std::runtime_error);
    EXPECT_EQ(store.get("a"), nullptr);
    EXPECT_FALSE(store.history("a"));
}

TEST(Store, HistoryChainsThroughDeletionAndRecreation) {
    Store store;
    put(store, "a", {{"x", 1}}, "t1");
    put(store, "a", {{"x", 2}}, "t2");
    remove(store, "a");
    put(store, "a", {{"x", 3}}, "t3");
    const auto h = store.history("a");
    ASSERT_TRUE(h);
    ASSERT_EQ(h->entries.size(), 4u);
    EXPECT_EQ(h->entries[0].replaced_etag, "");
    for (std::size_t i = 1; i < h->entries.size(); ++i) {
        EXPECT_EQ(h->entries[i].replaced_etag, h->entries[i - 1].etag) << i;
        EXPECT_EQ(h->entries[i].version, h->entries[i - 1].version + 1);
    }
    EXPECT_EQ(h->entries[2].method, "DELETE");
    EXPECT_EQ(h->entries[2].etag, "");
    // A re-creation starts a new incarnation: fresh created time, live again.
    EXPECT_TRUE(store.get("a")->live());
}

TEST(Store, TombstoneRemembersWhen) {
    Store store;
    put(store, "a", {{"x", 1}}, "t1");
    remove(store, "a");
    auto v = store.get("a");
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->deleted);
    EXPECT_EQ(v->last_modified, at(2));
    EXPECT_EQ(store.live_count(), 0u);
}

TEST(Store, HistoryCapDropsOldestAndCounts) {
    Store store(StoreOptions{4, 3});
    for (int i = 1; i <= 5; ++i) {
        put(store, "a", {{"i", i}}, "t" + std::to_string(i));
    }
    const auto h = store.history("a");
    ASSERT_EQ(h->entries.size(), 3u);
    EXPECT_EQ(h->dropped, 2u);
    EXPECT_EQ(h->entries.front().etag, "t3");
    EXPECT_EQ(store.history_dropped(), 2u);
}

TEST(Store, ListIsOrderedByIdAcrossShardsAndSkipsTombstones) {
    Store store(StoreOptions{7, 10});
    for (const char* id : {"d", "a", "c", "b", "e"}) {
        put(store, id, json::object(), std::string("t") + id);
    }
    remove(store, "c");
    auto page = store.list("", 2);
    ASSERT_EQ(page.items.size(), 2u);
    EXPECT_EQ(page.items[0].first, "a");
    EXPECT_EQ(page.items[1].first, "b");
    EXPECT_TRUE(page.more);
    page = store.list("b", 2);
    ASSERT_EQ(page.items.size(), 2u);
    EXPECT_EQ(page.items[0].first, "d");
    EXPECT_EQ(page.items[1].first, "e");
    EXPECT_FALSE(page.more);
}

TEST(Store, TopConflictsMostFirstTiesById) {
    Store store;
    for (const char* id : {"a", "b", "c"}) {
        put(store, id, json::object(), "t");
    }
    store.note_conflict("b");
    store.note_conflict("b");
    store.note_conflict("c");
    store.note_conflict("a");
    store.note_conflict("zz");  // unknown: ignored
    const auto top = store.top_conflicts(2);
    ASSERT_EQ(top.size(), 2u);
    EXPECT_EQ(top[0], std::make_pair(std::string("b"), std::uint64_t{2}));
    EXPECT_EQ(top[1], std::make_pair(std::string("a"), std::uint64_t{1}));
}

TEST(Store, ResetForgetsEverythingButReadersKeepTheirVersions) {
    Store store;
    put(store, "a", {{"x", 1}}, "t1");
    const VersionPtr held = store.get("a");
    store.reset();
    EXPECT_EQ(store.get("a"), nullptr);
    EXPECT_FALSE(store.history("a"));
    EXPECT_EQ(held->body_text, R"({"x":1})");
}

TEST(Store, HistoryJsonNamesEveryField) {
    Store store;
    put(store, "a", {{"x", 1}}, "t1", "writer-7");
    const json j = to_json(*store.history("a"));
    const json& e = j["entries"][0];
    EXPECT_EQ(e["version"], 1);
    EXPECT_EQ(e["etag"], "t1");
    EXPECT_EQ(e["replaced_etag"], "");
    EXPECT_EQ(e["method"], "PUT");
    EXPECT_EQ(e["writer_id"], "writer-7");
    EXPECT_EQ(e["op_id"], "op");
    EXPECT_EQ(e["time"], "1970-01-01T00:00:01.000Z");
    EXPECT_EQ(j["dropped"], 0);
}

}  // namespace
}  // namespace conflictlab::mock
