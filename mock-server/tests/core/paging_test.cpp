// The collection: POST with a server-generated id, and cursor-paged listing.

#include "test_support.hpp"

namespace conflictlab::mock::testing {
namespace {

class Collection : public CoreTest {
  protected:
    // Follows `next` links from `first`, returning every id in order.
    std::vector<std::string> walk(std::string target, int& pages) {
        std::vector<std::string> ids;
        pages = 0;
        while (!target.empty() && pages < 100) {
            const auto r = get(target);
            EXPECT_EQ(r.status, 200) << r.body;
            const json page = body_json(r);
            for (const auto& item : page["items"]) {
                ids.push_back(item["id"]);
            }
            ++pages;
            target = page.value("next", "");
        }
        return ids;
    }
};

TEST_F(Collection, PostCreatesWithGeneratedIdAndLocation) {
    const auto r = send("POST", "/resources", R"({"x":1})", {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 201) << r.body;
    const std::string location = header(r, "Location");
    ASSERT_EQ(location.rfind("/resources/r-", 0), 0u) << location;
    const auto g = get(location);
    EXPECT_EQ(g.status, 200);
    EXPECT_EQ(g.body, R"({"x":1})");
    EXPECT_EQ(header(g, "ETag"), header(r, "ETag"));
    const auto again =
        send("POST", "/resources", R"({"x":1})", {{"Content-Type", "application/json"}});
    EXPECT_NE(header(again, "Location"), location);
}

TEST_F(Collection, ListingPagesInIdOrderWithNextLinks) {
    for (int i = 0; i < 25; ++i) {
        char id[8];
        std::snprintf(id, sizeof id, "k%02d", (i * 7) % 25);  // created out of order
        create(id, {{"i", i}});
    }
    del("/resources/k05");
    int pages = 0;
    const auto ids = walk("/resources?limit=10", pages);
    EXPECT_EQ(pages, 3);
    ASSERT_EQ(ids.size(), 24u);
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    EXPECT_EQ(std::count(ids.begin(), ids.end(), "k05"), 0);
}

TEST_F(Collection, ItemsCarryIdEtagAndBody) {
    create("a", {{"v", 1}});
    const json page = body_json(get("/resources"));
    ASSERT_EQ(page["items"].size(), 1u);
    EXPECT_EQ(page["items"][0], json({{"id", "a"}, {"etag", "\"1\""}, {"body", {{"v", 1}}}}));
    EXPECT_FALSE(page.contains("next"));
}

TEST_F(Collection, LastPageHasNoNextEvenWhenFull) {
    create("a");
    create("b");
    const json page = body_json(get("/resources?limit=2"));
    EXPECT_EQ(page["items"].size(), 2u);
    EXPECT_FALSE(page.contains("next"));
}

TEST_F(Collection, LimitIsClampedToPageLimitMax) {
    CoreOptions o;
    o.page_limit_max = 3;
    start(o);
    for (const char* id : {"a", "b", "c", "d", "e"}) {
        create(id);
    }
    const json page = body_json(get("/resources?limit=1000"));
    EXPECT_EQ(page["items"].size(), 3u);
    EXPECT_EQ(page["next"].get<std::string>().rfind("/resources?limit=3&cursor=", 0), 0u);
}

TEST_F(Collection, BadLimitOrCursorIs400) {
    EXPECT_EQ(get("/resources?limit=0").status, 400);
    EXPECT_EQ(get("/resources?limit=ten").status, 400);
    EXPECT_EQ(get("/resources?cursor=zz").status, 400);
    EXPECT_EQ(get("/resources?cursor=abc").status, 400);  // odd length
}

TEST_F(Collection, PostRejectsNonObjectBody) {
    EXPECT_EQ(send("POST", "/resources", "[]", {{"Content-Type", "application/json"}}).status, 400);
    EXPECT_TRUE(body_json(get("/resources"))["items"].empty());
}

}  // namespace
}  // namespace conflictlab::mock::testing
