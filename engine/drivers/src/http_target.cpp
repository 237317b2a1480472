#include "conflictlab/engine/http_target.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace conflictlab::engine {
namespace {

std::string err(std::string_view field, std::string_view problem) {
    std::string s(field);
    s += ": ";
    s += problem;
    return s;
}

bool is_ipv4_literal(std::string_view h) {
    int parts = 0;
    std::size_t i = 0;
    while (i <= h.size()) {
        std::size_t j = h.find('.', i);
        if (j == std::string_view::npos)
            j = h.size();
        std::string_view part = h.substr(i, j - i);
        if (part.empty() || part.size() > 3)
            return false;
        int v = 0;
        auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (ec != std::errc() || p != part.data() + part.size() || v > 255)
            return false;
        ++parts;
        i = j + 1;
    }
    return parts == 4;
}

bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

bool is_b64token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

}  // namespace

HttpTarget parse_http_target(std::string_view url, std::string_view field) {
    if (url.empty())
        throw TargetError(err(field, "is empty (expected http://host:port[/prefix])"));
    for (char c : url) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) {
            throw TargetError(err(field, "contains whitespace or control characters"));
        }
    }
    HttpTarget t;
    std::string_view rest;
    if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else if (url.starts_with("https://")) {
        t.tls = true;
        rest = url.substr(8);
    } else {
        std::size_t colon = url.find("://");
        std::string scheme =
            colon == std::string_view::npos ? "" : std::string(url.substr(0, colon));
        if (scheme.empty()) {
            throw TargetError(err(field, "missing scheme (expected http:// or https://)"));
        }
        throw TargetError(
            err(field, "unsupported scheme \"" + scheme + "\" (expected http or https)"));
    }
    std::size_t end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    std::string_view path = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    if (authority.find('@') != std::string_view::npos) {
        throw TargetError(
            err(field, "userinfo (user:password@) is not supported; use a bearer token"));
    }
    if (path.find_first_of("?#") != std::string_view::npos) {
        throw TargetError(err(field, "query and fragment are not allowed in a base URL"));
    }
    if (authority.empty())
        throw TargetError(err(field, "missing host"));

    std::string_view host;
    std::string_view port_text;
    if (authority.front() == '[') {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            throw TargetError(err(field, "IPv6 literal without closing ']'"));
        }
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                throw TargetError(err(field, "unexpected characters after IPv6 literal"));
            }
            port_text = after.substr(1);
            if (port_text.empty())
                throw TargetError(err(field, "empty port after ':'"));
        }
        if (host.empty() ||
            host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
            throw TargetError(err(field, "invalid IPv6 literal"));
        }
    } else {
        std::size_t colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty())
                throw TargetError(err(field, "empty port after ':'"));
        }
        if (host.empty())
            throw TargetError(err(field, "missing host"));
        if (!std::all_of(host.begin(), host.end(), is_host_char)) {
            throw TargetError(
                err(field, "invalid character in host \"" + std::string(host) + "\""));
        }
    }
    t.host = std::string(host);

    if (port_text.empty()) {
        t.port = t.tls ? 443 : 80;
    } else {
        unsigned long v = 0;
        auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
        if (ec != std::errc() || p != port_text.data() + port_text.size() || v == 0 || v > 65535) {
            throw TargetError(
                err(field, "port \"" + std::string(port_text) + "\" is not a number in 1..65535"));
        }
        t.port = static_cast<std::uint16_t>(v);
    }

    std::string prefix(path);
    while (!prefix.empty() && prefix.back() == '/')
        prefix.pop_back();
    t.prefix = std::move(prefix);
    return t;
}

bool HttpTarget::host_is_ip_literal() const {
    return host.find(':') != std::string::npos || is_ipv4_literal(host);
}

std::string HttpTarget::host_header() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (tls ? 443 : 80))
        h += ":" + std::to_string(port);
    return h;
}

std::string HttpTarget::origin() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return std::string(tls ? "https://" : "http://") + h + ":" + std::to_string(port);
}

std::string HttpTarget::request_target(std::string_view path) const {
    std::string out = prefix;
    if (path.empty() || path.front() != '/')
        out += '/';
    out += path;
    return out;
}

std::string bearer_authorization(std::string_view token, std::string_view field) {
    if (token.empty())
        throw TargetError(err(field, "the bearer token is empty"));
    // RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    if (!std::all_of(token.begin(), token.end(), is_b64token_char)) {
        throw TargetError(err(field,
                              "the bearer token contains characters not allowed in a b64token "
                              "(RFC 6750 2.1)"));
    }
    return "Bearer " + std::string(token);
}

HeaderFields wire_headers(const SendRequest& request, const HttpTarget& target,
                          const ClientIdentity& identity) {
    HeaderFields h = request.headers;
    if (!h.contains("Host"))
        h.add("Host", target.host_header());
    if (!h.contains("User-Agent") && !identity.user_agent.empty()) {
        h.add("User-Agent", identity.user_agent);
    }
    if (!identity.authorization.empty())
        h.set("Authorization", identity.authorization);
    bool has_body_method =
        request.method == "PUT" || request.method == "PATCH" || request.method == "POST";
    if (!request.body.empty() && !h.contains("Content-Type")) {
        h.add("Content-Type",
              request.method == "PATCH" ? "application/merge-patch+json" : "application/json");
    }
    if (!request.body.empty() || has_body_method) {
        h.set("Content-Length", std::to_string(request.body.size()));
    } else {
        h.erase("Content-Length");
    }
    return h;
}

std::string render_request(std::string_view method, std::string_view target,
                           const HeaderFields& headers, std::string_view body) {
    std::size_t size = method.size() + target.size() + 13 + body.size();
    for (const auto& [name, value] : headers.fields())
        size += name.size() + value.size() + 4;
    std::string out;
    out.reserve(size);
    out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
    for (const auto& [name, value] : headers.fields())
        out.append(name).append(": ").append(value).append("\r\n");
    out.append("\r\n").append(body);
    return out;
}

HeaderFields redacted_headers(const HeaderFields& headers) {
    HeaderFields out;
    for (const auto& [name, value] : headers.fields()) {
        if (iequals(name, "Authorization") || iequals(name, "Proxy-Authorization")) {
            std::size_t sp = value.find(' ');
            out.add(name, sp == std::string::npos ? "***" : value.substr(0, sp) + " ***");
        } else if (iequals(name, "Cookie") || iequals(name, "Set-Cookie")) {
            out.add(name, "***");
        } else {
            out.add(name, value);
        }
    }
    return out;
}

std::string scrub_secret(std::string text, std::string_view secret) {
    if (secret.size() < 4)
        return text;
    std::size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
        text.replace(pos, secret.size(), "***");
        pos += 3;
    }
    return text;
}

namespace {

void scrub_json(nlohmann::json& j, std::string_view secret) {
    if (j.is_string()) {
        auto& s = j.get_ref<std::string&>();
        if (s.find(secret) != std::string::npos)
            s = scrub_secret(std::move(s), secret);
    } else if (j.is_structured()) {
        for (auto& v : j)
            scrub_json(v, secret);
    }
}

void scrub_in_place(std::string& s, std::string_view secret) {
    if (s.find(secret) != std::string::npos)
        s = scrub_secret(std::move(s), secret);
}

}  // namespace

void scrub_secret(Outcome& outcome, std::string_view secret) {
    if (secret.size() < 4)
        return;
    scrub_in_place(outcome.detail, secret);
    for (auto& n : outcome.notes)
        scrub_in_place(n, secret);
    for (auto& st : outcome.steps)
        scrub_in_place(st.error, secret);
    if (outcome.token_before)
        scrub_in_place(*outcome.token_before, secret);
    if (outcome.token_after)
        scrub_in_place(*outcome.token_after, secret);
    if (outcome.final_body)
        scrub_json(*outcome.final_body, secret);
    if (outcome.delta)
        scrub_json(*outcome.delta, secret);
}

}  // namespace conflictlab::engine
