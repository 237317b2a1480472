// render_request: the client writes each request as one buffer it renders
// itself; these pin that the bytes are exactly what Beast's serializer writes
// for the same message (the client used the serializer before).
#include "conflictlab/engine/http_target.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

using namespace conflictlab;
using namespace conflictlab::engine;
namespace bhttp = boost::beast::http;

namespace {

// What Beast's serializer writes for the same start line, fields and body.
std::string beast_bytes(const std::string& method, const std::string& target,
                        const HeaderFields& headers, const std::string& body) {
    bhttp::request<bhttp::string_body> req;
    req.version(11);
    const auto verb = bhttp::string_to_verb(method);
    if (verb == bhttp::verb::unknown) {
        req.method_string(method);
    } else {
        req.method(verb);
    }
    req.target(target);
    for (const auto& [name, value] : headers.fields())
        req.insert(name, value);
    req.body() = body;
    std::ostringstream out;
    out << req;
    return out.str();
}

HeaderFields put_headers() {
    HeaderFields h;
    h.add("If-Match", "\"v1\"");
    h.add("Content-Type", "application/json");
    h.add("Host", "127.0.0.1:8080");
    h.add("X-Writer-Id", "w-1");
    h.add("Content-Length", "7");
    return h;
}

TEST(RenderRequest, PutIsStartLineHeadersInOrderBlankLineBody) {
    EXPECT_EQ(render_request("PUT", "/resources/a", put_headers(), R"({"x":1})"),
              "PUT /resources/a HTTP/1.1\r\n"
              "If-Match: \"v1\"\r\n"
              "Content-Type: application/json\r\n"
              "Host: 127.0.0.1:8080\r\n"
              "X-Writer-Id: w-1\r\n"
              "Content-Length: 7\r\n"
              "\r\n"
              R"({"x":1})");
}

TEST(RenderRequest, SameBytesAsBeastsSerializer) {
    EXPECT_EQ(render_request("PUT", "/resources/a", put_headers(), R"({"x":1})"),
              beast_bytes("PUT", "/resources/a", put_headers(), R"({"x":1})"));
    HeaderFields get;
    get.add("Host", "localhost");
    get.add("If-None-Match", "W/\"3\", \"4\"");
    EXPECT_EQ(render_request("GET", "/resources/a%20b?x=1", get, ""),
              beast_bytes("GET", "/resources/a%20b?x=1", get, ""));
    // A method Beast does not know is sent as given, as Beast does.
    EXPECT_EQ(render_request("PURGE", "/resources/a", get, ""),
              beast_bytes("PURGE", "/resources/a", get, ""));
    HeaderFields none;
    EXPECT_EQ(render_request("DELETE", "/resources/a", none, ""),
              beast_bytes("DELETE", "/resources/a", none, ""));
}

}  // namespace
