#pragma once
// HttpTarget: where a driver sends requests, parsed from a base URL
// ("http://host:port[/prefix]" or "https://..."), and the pure helpers that
// turn an engine SendRequest into the header block put on the wire. No Beast,
// no sockets: unit-tested without a network.
//
// The request target of a SendRequest is prefix + SendRequest::path, so
// "https://api.example.com/v2" + "/resources/a" -> "/v2/resources/a".
//
// Wire headers: the SendRequest's own headers (the core already sets
// Content-Type for writes, Accept and the X-* ids), then, only when absent:
// Host, User-Agent, Authorization (bearer), Content-Type (for a non-empty
// body: application/json, or application/merge-patch+json for PATCH) and
// Content-Length (for any body or a PUT/PATCH/POST).
//
// Redaction: Authorization, Proxy-Authorization and Cookie values never leave
// the driver in clear; redacted_headers() keeps the auth scheme and masks the
// credential ("Bearer ***"), and scrub_secret() masks a known secret wherever
// it appears in text or in an Outcome.
//
// Thread-safety: values and pure functions.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/common/headers.hpp"
#include "conflictlab/engine/messages.hpp"
#include "conflictlab/engine/outcome.hpp"

namespace conflictlab::engine {

// A base URL that cannot be used. what() is "<field>: <problem>"; it never
// repeats the URL's path or query (a webhook URL's path is often a secret).
class TargetError : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

struct HttpTarget {
    bool tls = false;        // https
    std::string host;        // DNS name or IP literal, without IPv6 brackets
    std::uint16_t port = 0;  // explicit or the scheme's default (80 / 443)
    std::string prefix;      // "" or "/v2" (leading '/', no trailing '/')

    // "host", "host:port" when the port is not the scheme's default;
    // IPv6 literals in brackets.
    std::string host_header() const;
    // "https://host:port" without the prefix: safe to print in logs.
    std::string origin() const;
    // prefix + path; a path not starting with '/' gets one.
    std::string request_target(std::string_view path) const;
    // True when host is an IPv4 or IPv6 literal (no SNI is sent for those).
    bool host_is_ip_literal() const;

    bool operator==(const HttpTarget&) const = default;
};

// Parses a base URL. `field` names it in errors (e.g. "driver.base_url").
// Rejected with TargetError: other schemes, userinfo ("user:pass@": use a
// bearer token), an empty host, a port outside 1..65535 or not a number, a
// query or fragment, whitespace or control characters.
HttpTarget parse_http_target(std::string_view url, std::string_view field = "base_url");

// Identity the driver adds to every request.
struct ClientIdentity {
    std::string user_agent = "conflictlab/0.1";
    // Full Authorization value ("Bearer abc"), empty for none. A secret.
    std::string authorization;
};

// "Bearer <token>" for a token read with load_secret(). Throws TargetError
// ("<field>: ...", never the value) when the token is empty or holds
// characters RFC 6750's b64token does not allow (spaces, controls, ...):
// such a value would be a header injection or a copy-paste accident.
std::string bearer_authorization(std::string_view token, std::string_view field = "bearer_token");

// The header block to send for `request` (see the file comment for order and
// rules). The body itself is request.body.
HeaderFields wire_headers(const SendRequest& request, const HttpTarget& target,
                          const ClientIdentity& identity);

// The HTTP/1.1 request message as one buffer: "METHOD target HTTP/1.1",
// `headers` in their order (wire_headers gives Host, Content-Length, ...),
// an empty line, the body; the bytes Beast's serializer writes for the same
// message. REQUIRES: no CR, LF or NUL in names or values (checked by the
// client before it renders).
std::string render_request(std::string_view method, std::string_view target,
                           const HeaderFields& headers, std::string_view body);

// Copy with credential-bearing fields masked: "Authorization: Bearer ***"
// (the scheme is kept, everything after it is replaced), Cookie "***".
HeaderFields redacted_headers(const HeaderFields& headers);

// `text` with every occurrence of `secret` replaced by "***". Secrets shorter
// than 4 characters are not searched for (they would mangle ordinary text).
std::string scrub_secret(std::string text, std::string_view secret);

// Scrubs `secret` from every string of an outcome (detail, notes, steps,
// tokens, final_body and delta strings). A no-op for an empty secret.
void scrub_secret(Outcome& outcome, std::string_view secret);

}  // namespace conflictlab::engine
