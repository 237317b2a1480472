#include "conflictlab/engine/http_target.hpp"

#include <gtest/gtest.h>

using namespace conflictlab;
using namespace conflictlab::engine;

namespace {

std::string error_of(std::string_view url) {
    try {
        parse_http_target(url, "driver.base_url");
    } catch (const TargetError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(HttpTarget, ParsesHttpWithPortAndPrefix) {
    HttpTarget t = parse_http_target("http://127.0.0.1:8080/api/v2/");
    EXPECT_FALSE(t.tls);
    EXPECT_EQ(t.host, "127.0.0.1");
    EXPECT_EQ(t.port, 8080);
    EXPECT_EQ(t.prefix, "/api/v2");
    EXPECT_EQ(t.request_target("/resources/a%2Fb"), "/api/v2/resources/a%2Fb");
    EXPECT_EQ(t.host_header(), "127.0.0.1:8080");
    EXPECT_EQ(t.origin(), "http://127.0.0.1:8080");
    EXPECT_TRUE(t.host_is_ip_literal());
}

TEST(HttpTarget, DefaultPortsAndHostHeaderOmitThem) {
    HttpTarget https = parse_http_target("https://api.example.com");
    EXPECT_TRUE(https.tls);
    EXPECT_EQ(https.port, 443);
    EXPECT_EQ(https.prefix, "");
    EXPECT_EQ(https.host_header(), "api.example.com");
    EXPECT_FALSE(https.host_is_ip_literal());
    EXPECT_EQ(https.request_target("resources/x"), "/resources/x");
    EXPECT_EQ(parse_http_target("http://h").port, 80);
}

TEST(HttpTarget, Ipv6LiteralInBrackets) {
    HttpTarget t = parse_http_target("http://[::1]:9000/p");
    EXPECT_EQ(t.host, "::1");
    EXPECT_EQ(t.port, 9000);
    EXPECT_TRUE(t.host_is_ip_literal());
    EXPECT_EQ(t.host_header(), "[::1]:9000");
}

TEST(HttpTarget, ErrorsNameTheFieldAndProblem) {
    EXPECT_EQ(error_of(""), "driver.base_url: is empty (expected http://host:port[/prefix])");
    EXPECT_EQ(error_of("127.0.0.1:8080"),
              "driver.base_url: missing scheme (expected http:// or https://)");
    EXPECT_EQ(error_of("ftp://h/x"),
              "driver.base_url: unsupported scheme \"ftp\" (expected http or https)");
    EXPECT_EQ(error_of("http://:8080"), "driver.base_url: missing host");
    EXPECT_EQ(error_of("http://"), "driver.base_url: missing host");
    EXPECT_EQ(error_of("http://h:"), "driver.base_url: empty port after ':'");
    EXPECT_EQ(error_of("http://h:abc"),
              "driver.base_url: port \"abc\" is not a number in 1..65535");
    EXPECT_EQ(error_of("http://h:0"), "driver.base_url: port \"0\" is not a number in 1..65535");
    EXPECT_EQ(error_of("http://h:65536"),
              "driver.base_url: port \"65536\" is not a number in 1..65535");
    EXPECT_EQ(error_of("http://h/x?a=1"),
              "driver.base_url: query and fragment are not allowed in a base URL");
    EXPECT_EQ(error_of("http://h#frag"),
              "driver.base_url: query and fragment are not allowed in a base URL");
    EXPECT_EQ(error_of("http://h x"), "driver.base_url: contains whitespace or control characters");
    EXPECT_EQ(error_of("http://[::1"), "driver.base_url: IPv6 literal without closing ']'");
    EXPECT_EQ(error_of("http://h%41"), "driver.base_url: invalid character in host \"h%41\"");
}

TEST(HttpTarget, UserinfoRejectedWithoutEchoingTheCredentials) {
    std::string e = error_of("https://alice:hunter2@h/x");
    EXPECT_EQ(e, "driver.base_url: userinfo (user:password@) is not supported; use a bearer token");
    EXPECT_EQ(e.find("hunter2"), std::string::npos);
}

TEST(HttpTarget, ErrorsNeverRepeatThePath) {
    // A Teams webhook URL carries its secret in the path.
    std::string e = error_of("https://h:99999/webhookb2/SECRETPATH");
    EXPECT_EQ(e.find("SECRETPATH"), std::string::npos);
}

TEST(WireHeaders, AddsHostUserAgentAuthorizationAndContentLength) {
    HttpTarget t = parse_http_target("http://127.0.0.1:8080");
    SendRequest r;
    r.method = "PUT";
    r.path = "/resources/a";
    r.headers.add("Content-Type", "application/json");
    r.headers.add("If-Match", "\"v1\"");
    r.body = R"({"x":1})";
    HeaderFields h = wire_headers(r, t, ClientIdentity{"conflictlab/0.1", "Bearer abc123"});
    EXPECT_EQ(h.get("Host"), "127.0.0.1:8080");
    EXPECT_EQ(h.get("User-Agent"), "conflictlab/0.1");
    EXPECT_EQ(h.get("Authorization"), "Bearer abc123");
    EXPECT_EQ(h.get("Content-Length"), "7");
    EXPECT_EQ(h.get("If-Match"), "\"v1\"");
    // The core's Content-Type is kept, not duplicated.
    EXPECT_EQ(h.get_combined("Content-Type"), "application/json");
}

TEST(WireHeaders, ContentTypeOnlyWhenAbsentMergePatchForPatch) {
    HttpTarget t = parse_http_target("http://h");
    SendRequest r;
    r.method = "PATCH";
    r.body = "{}";
    EXPECT_EQ(wire_headers(r, t, {}).get("Content-Type"), "application/merge-patch+json");
    r.method = "POST";
    EXPECT_EQ(wire_headers(r, t, {}).get("Content-Type"), "application/json");
}

TEST(WireHeaders, GetHasNoBodyHeadersPutWithEmptyBodyHasZeroLength) {
    HttpTarget t = parse_http_target("http://h");
    SendRequest get;
    get.method = "GET";
    HeaderFields h = wire_headers(get, t, {});
    EXPECT_FALSE(h.contains("Content-Length"));
    EXPECT_FALSE(h.contains("Content-Type"));
    EXPECT_FALSE(h.contains("Authorization"));
    EXPECT_EQ(h.get("Host"), "h");
    SendRequest put;
    put.method = "PUT";
    EXPECT_EQ(wire_headers(put, t, {}).get("Content-Length"), "0");
}

TEST(BearerAuthorization, ValidTokenAndRejectedCharacters) {
    EXPECT_EQ(bearer_authorization("abc.DEF-123_~+/=="), "Bearer abc.DEF-123_~+/==");
    try {
        bearer_authorization("abc\r\nX-Evil: 1", "driver.http.bearer_token_secret");
        FAIL() << "expected TargetError";
    } catch (const TargetError& e) {
        EXPECT_STREQ(e.what(),
                     "driver.http.bearer_token_secret: the bearer token contains characters not "
                     "allowed in a b64token (RFC 6750 2.1)");
    }
    EXPECT_THROW(bearer_authorization(""), TargetError);
    EXPECT_THROW(bearer_authorization("two words"), TargetError);
}
