// make_problem writes the usual problem bodies without nlohmann; the bytes
// must stay exactly problem_json(...).dump() (clients and golden files read
// them), including the escapes and the member order.
#include <gtest/gtest.h>

#include <string>

#include "http_util.hpp"

namespace conflictlab::mock {
namespace {

using nlohmann::json;

void expect_same_body(int status, std::string_view type, const std::string& detail,
                      std::string_view instance, const json& extra = nullptr) {
    const Response r = make_problem(status, type, detail, instance, extra);
    EXPECT_EQ(r.body, problem_json(status, type, detail, instance, extra)
                          .dump(-1, ' ', false, json::error_handler_t::replace));
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "application/problem+json");
}

TEST(Rfc9457_ProblemBody, FastPathWritesTheSameBytesAsTheJsonDump) {
    expect_same_body(412, "urn:conflictlab:problem:precondition-failed",
                     "If-Match: no listed entity tag strongly matches the current one of \"r-1\"",
                     "/resources/r-1", json{{"current_etag", "\"v7\""}});
    expect_same_body(409, "urn:conflictlab:problem:busy", "resource busy", "/resources/a",
                     json{{"current_etag", "W/\"x\""}, {"busy_for_ms", 12}});
    expect_same_body(404, "about:blank", "back\\slash and \"quotes\"", "");
    expect_same_body(409, "urn:x", "d", "/i",
                     json{{"error", "conflict"},
                          {"reason", "Document update conflict."},
                          {"current_version", "3-abc"},
                          {"aaa", -5}});
}

TEST(Rfc9457_ProblemBody, UnusualContentTakesTheJsonPathWithTheSameResult) {
    expect_same_body(400, "urn:x", "tab\there, newline\n", "/p");           // control chars
    expect_same_body(400, "urn:x", "caf\xc3\xa9 and bad \xff byte", "/p");  // UTF-8, invalid
    expect_same_body(400, "urn:x", "d", "/p", json{{"status", 499}});       // overrides a member
    expect_same_body(400, "urn:x", "d", "/p", json{{"list", json::array({1})}});  // not a scalar
    expect_same_body(400, "urn:x", "d", "/p", json{{"big", 18446744073709551615ull}});
    expect_same_body(400, "urn:x", "d", "/p", json{{"ratio", 0.5}});
}

}  // namespace
}  // namespace conflictlab::mock
