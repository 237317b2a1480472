#include "http_util.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <optional>

namespace conflictlab::mock {

std::string_view reason_phrase(int status) noexcept {
    switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 304:
            return "Not Modified";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Content Too Large";
        case 415:
            return "Unsupported Media Type";
        case 422:
            return "Unprocessable Content";
        case 428:
            return "Precondition Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "Unknown";
    }
}

Response json_response(int status, std::string body_text) {
    Response r;
    r.status = status;
    r.headers.add("Content-Type", std::string(kJsonType));
    r.body = std::move(body_text);
    return r;
}

namespace {

// Problem bodies are written on every rejected write (412/409 under
// contention), so the usual ones are written directly instead of building a
// nlohmann::json and dumping it. The bytes are the same as that dump: keys
// in std::map order, strings escaped as nlohmann does for ASCII. Anything
// else (non-ASCII or control characters, non-scalar or unusual extra
// members, a member name repeated) takes the nlohmann path.
struct ProblemMember {
    std::string_view key;
    const std::string* text = nullptr;  // a string value, else `number`
    std::int64_t number = 0;
};

bool plain_ascii(std::string_view s) noexcept {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x80)
            return false;
    }
    return true;
}

void append_escaped(std::string& out, std::string_view s) {
    out += '"';
    for (const char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
}

std::optional<std::string> fast_problem_text(int status, std::string_view type,
                                             const std::string& detail, std::string_view instance,
                                             const nlohmann::json& extra) {
    if (!extra.is_null() && !extra.is_object())
        return std::nullopt;
    const std::string type_text(type);
    const std::string title(reason_phrase(status));
    const std::string instance_text(instance);
    ProblemMember members[12];
    std::size_t n = 0;
    members[n++] = {"detail", &detail};
    if (!instance.empty())
        members[n++] = {"instance", &instance_text};
    members[n++] = {"status", nullptr, status};
    members[n++] = {"title", &title};
    members[n++] = {"type", &type_text};
    const std::size_t base = n;
    if (extra.is_object()) {
        if (extra.size() > std::size(members) - base)
            return std::nullopt;
        for (const auto& [key, value] : extra.items()) {
            for (std::size_t i = 0; i < base; ++i) {
                if (members[i].key == key)
                    return std::nullopt;  // replaces a base member: rare, keep it simple
            }
            if (const auto* text = value.get_ptr<const std::string*>()) {
                members[n++] = {key, text};
            } else if (value.is_number_integer() && !value.is_number_unsigned()) {
                members[n++] = {key, nullptr, value.get<std::int64_t>()};
            } else {
                return std::nullopt;
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (!plain_ascii(members[i].key) || (members[i].text && !plain_ascii(*members[i].text)))
            return std::nullopt;
    }
    std::sort(members, members + n,
              [](const ProblemMember& a, const ProblemMember& b) { return a.key < b.key; });
    std::string out;
    out.reserve(64 + detail.size() + type.size() + instance.size() + 48 * (n - base));
    out += '{';
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0)
            out += ',';
        append_escaped(out, members[i].key);
        out += ':';
        if (members[i].text) {
            append_escaped(out, *members[i].text);
        } else {
            char buf[24];
            out.append(buf, std::to_chars(buf, buf + sizeof buf, members[i].number).ptr);
        }
    }
    out += '}';
    return out;
}

}  // namespace

Response make_problem(int status, std::string_view type, std::string detail,
                      std::string_view instance, const nlohmann::json& extra) {
    Response r;
    r.status = status;
    r.headers.add("Content-Type", std::string(kProblemType));
    if (auto text = fast_problem_text(status, type, detail, instance, extra)) {
        r.body = std::move(*text);
        return r;
    }
    r.body = problem_json(status, type, std::move(detail), instance, extra)
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

nlohmann::json problem_json(int status, std::string_view type, std::string detail,
                            std::string_view instance, const nlohmann::json& extra) {
    nlohmann::json body = {
        {"type", type},
        {"title", reason_phrase(status)},
        {"status", status},
        {"detail", std::move(detail)},
    };
    if (!instance.empty()) {
        body["instance"] = instance;
    }
    if (extra.is_object()) {
        for (const auto& [key, value] : extra.items()) {
            body[key] = value;
        }
    }
    return body;
}

bool has_media_type(const HeaderFields& headers, std::string_view media_type) {
    auto value = headers.get("Content-Type");
    if (!value) {
        return false;
    }
    std::string_view v = *value;
    v = v.substr(0, v.find(';'));
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    return iequals(v, media_type);
}

Target split_target(std::string_view target) noexcept {
    const auto q = target.find('?');
    if (q == std::string_view::npos) {
        return {target, {}};
    }
    return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string_view> query_param(std::string_view query,
                                            std::string_view name) noexcept {
    while (!query.empty()) {
        const auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        std::string_view key = pair.substr(0, eq);
        if (key == name) {
            return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        }
    }
    return std::nullopt;
}

bool valid_resource_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > kResourceIdMax) {
        return false;
    }
    for (char c : id) {
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && std::string_view("-._~!$&'()*+,;=:@").find(c) == std::string_view::npos) {
            return false;
        }
    }
    return true;
}

std::optional<std::size_t> parse_positive(std::string_view text, std::size_t max) noexcept {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > max) {
        return std::nullopt;
    }
    return value;
}

std::string hex_encode(std::string_view bytes) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    return out;
}

std::optional<std::string> hex_decode(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    };
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = nibble(hex[i]);
        const int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out.push_back(static_cast<char>((hi << 4) | lo));
    }
    return out;
}

}  // namespace conflictlab::mock
