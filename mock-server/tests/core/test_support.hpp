#pragma once
// Helpers for the core's tests: a ServerCore on a ManualClock, and terse
// request builders. No sockets, no sleeps.

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "conflictlab/common/etag.hpp"
#include "conflictlab/mock/clock.hpp"
#include "conflictlab/mock/server_core.hpp"

namespace conflictlab::mock::testing {

using nlohmann::json;

inline Request make_request(std::string method, std::string target, std::string body = {},
                            HeaderFields headers = {}) {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.headers = std::move(headers);
    r.peer = "127.0.0.1:40000";
    return r;
}

inline std::string header(const Response& r, std::string_view name) {
    return std::string(r.headers.get(name).value_or(""));
}

inline json body_json(const Response& r) {
    return json::parse(r.body);
}

// The bare token of a response's ETag header.
inline std::string etag_token(const Response& r) {
    auto tag = parse_entity_tag(header(r, "ETag"));
    return tag ? tag->opaque : std::string();
}

class CoreTest : public ::testing::Test {
  protected:
    void start(CoreOptions options = {}) {
        core_ = std::make_unique<ServerCore>(std::move(options), clock_);
    }
    ServerCore& core() {
        if (!core_) {
            start();
        }
        return *core_;
    }

    Response send(std::string method, std::string target, std::string body = {},
                  HeaderFields headers = {}) {
        return core().handle(make_request(std::move(method), std::move(target), std::move(body),
                                          std::move(headers)));
    }
    Response get(const std::string& target, HeaderFields headers = {}) {
        return send("GET", target, {}, std::move(headers));
    }
    // PUT with Content-Type: application/json plus `headers`.
    Response put(const std::string& target, const json& body, HeaderFields headers = {}) {
        headers.add("Content-Type", "application/json");
        return send("PUT", target, body.dump(), std::move(headers));
    }
    Response patch(const std::string& target, const json& body, std::string content_type,
                   HeaderFields headers = {}) {
        headers.add("Content-Type", std::move(content_type));
        return send("PATCH", target, body.dump(), std::move(headers));
    }
    Response del(const std::string& target, HeaderFields headers = {}) {
        return send("DELETE", target, {}, std::move(headers));
    }
    // Creates /resources/{id} with `body` and returns the response (201 expected).
    Response create(const std::string& id, const json& body = {{"n", 0}}) {
        Response r = put("/resources/" + id, body);
        EXPECT_EQ(r.status, 201) << r.body;
        return r;
    }
    json history(const std::string& id) { return body_json(get("/_admin/history/" + id)); }

    ManualClock clock_;
    std::unique_ptr<ServerCore> core_;
};

}  // namespace conflictlab::mock::testing
