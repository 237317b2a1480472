// Bearer tokens: resources and the admin API each require their own token
// when one is configured; 401 with WWW-Authenticate: Bearer; tokens never
// appear in any output.

#include "test_support.hpp"

namespace conflictlab::mock::testing {
namespace {

constexpr const char* kResourceToken = "res-Token-123";
constexpr const char* kAdminToken = "adm-Token-456";

class Auth : public CoreTest {
  protected:
    void SetUp() override {
        CoreOptions o;
        o.resource_token = kResourceToken;
        o.admin_token = kAdminToken;
        start(o);
    }
    static HeaderFields bearer(const std::string& token) {
        return {{"Authorization", "Bearer " + token}};
    }
};

TEST_F(Auth, ResourcesWithoutTokenAre401) {
    const auto r = get("/resources/a");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer realm=\"conflictlab-mock\"");
}

TEST_F(Auth, WrongTokenIs401InvalidToken) {
    const auto r = get("/resources/a", bearer("guess"));
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(header(r, "WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos);
    EXPECT_EQ(get("/resources/a", bearer(kAdminToken)).status,
              401);  // tokens are not interchangeable
    EXPECT_EQ(
        get("/resources/a", {{"Authorization", std::string("Basic ") + kResourceToken}}).status,
        401);
}

TEST_F(Auth, RightTokenIsAccepted) {
    HeaderFields h = bearer(kResourceToken);
    h.add("Content-Type", "application/json");
    EXPECT_EQ(send("PUT", "/resources/a", "{}", h).status, 201);
    EXPECT_EQ(
        get("/resources/a", {{"Authorization", std::string("bearer  ") + kResourceToken}}).status,
        200);  // scheme is case-insensitive
}

TEST_F(Auth, UnauthorizedWriteChangesNothing) {
    EXPECT_EQ(put("/resources/a", {{"n", 1}}).status, 401);
    EXPECT_EQ(get("/resources/a", bearer(kResourceToken)).status, 404);
}

TEST_F(Auth, AdminNeedsTheAdminToken) {
    EXPECT_EQ(get("/_admin/stats").status, 401);
    EXPECT_EQ(get("/_admin/stats", bearer(kResourceToken)).status, 401);
    EXPECT_EQ(get("/_admin/stats", bearer(kAdminToken)).status, 200);
    EXPECT_EQ(send("POST", "/_admin/reset").status, 401);
}

TEST_F(Auth, HealthAndMetricsAreOpen) {
    EXPECT_EQ(get("/healthz").status, 200);
    EXPECT_EQ(get("/metrics").status, 200);
}

TEST_F(Auth, TokensNeverAppearInAnyOutput) {
    std::string all;
    all += get("/resources/a", bearer("guess")).body;
    all += get("/resources/a").body;
    all += get("/_admin/config", bearer(kAdminToken)).body;
    all += get("/_admin/stats", bearer(kAdminToken)).body;
    all += get("/metrics").body;
    all += to_json(core().options()).dump();
    EXPECT_EQ(all.find(kResourceToken), std::string::npos);
    EXPECT_EQ(all.find(kAdminToken), std::string::npos);
    EXPECT_NE(all.find("<redacted>"), std::string::npos);
}

}  // namespace
}  // namespace conflictlab::mock::testing
