// "target": embedded mock server (default) or an external base URL with
// secret references. docs/scenarios.md "target".

#include <cctype>

#include "field_reader.hpp"
#include "sections.hpp"

namespace conflictlab::harness::detail {

using nlohmann::json;

namespace {

constexpr int kMaxServerThreads = 64;

bool is_host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
}

}  // namespace

std::string base_url_problem(std::string_view url) {
    std::string_view rest;
    if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else if (url.starts_with("https://")) {
        rest = url.substr(8);
    } else {
        return "must start with http:// or https://";
    }
    for (char c : url) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0 ||
            std::iscntrl(static_cast<unsigned char>(c)) != 0) {
            return "must not contain spaces or control characters";
        }
    }
    std::size_t end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    std::string_view tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    if (authority.find('@') != std::string_view::npos) {
        return "must not contain credentials (user:password@); reference the token with "
               "target.token \"env:NAME\" or \"file:PATH\"";
    }
    if (tail.find_first_of("?#") != std::string_view::npos) {
        return "must be a base URL without query or fragment (e.g. \"http://127.0.0.1:8080\")";
    }
    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with("[")) {  // IPv6 literal
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return "unterminated IPv6 address (missing \"]\")";
        }
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return "unexpected text after the IPv6 address";
            }
            port = after.substr(1);
            if (port.empty()) {
                return "empty port after \":\"";
            }
        }
        for (char c : host) {
            if (std::isxdigit(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.') {
                return "bad IPv6 address";
            }
        }
    } else {
        auto colon = authority.find(':');
        if (colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
            if (port.empty()) {
                return "empty port after \":\"";
            }
        }
        for (char c : host) {
            if (!is_host_char(c)) {
                return "bad host name (letters, digits, '-' and '.')";
            }
        }
    }
    if (host.empty()) {
        return "has no host (e.g. \"http://127.0.0.1:8080\")";
    }
    if (!port.empty()) {
        if (port.size() > 5) {
            return "port must be between 1 and 65535";
        }
        int n = 0;
        for (char c : port) {
            if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
                return "port must be a number between 1 and 65535";
            }
            n = n * 10 + (c - '0');
        }
        if (n < 1 || n > 65535) {
            return "port must be between 1 and 65535";
        }
    }
    return "";
}

std::string secret_ref_problem(std::string_view spec) {
    const std::string why =
        "must be \"env:NAME\" or \"file:PATH\"; secrets are never written inline in scenario "
        "files, which are committed and copied into results";
    if (spec.starts_with("env:")) {
        std::string_view name = spec.substr(4);
        bool ok = !name.empty() &&
                  (std::isalpha(static_cast<unsigned char>(name[0])) != 0 || name[0] == '_');
        for (char c : name) {
            ok = ok && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_');
        }
        if (!ok) {
            return "\"env:\" needs an environment variable name (letters, digits and _, e.g. "
                   "\"env:CONFLICTLAB_TOKEN\")";
        }
        return "";
    }
    if (spec.starts_with("file:")) {
        if (spec.size() == 5) {
            return "\"file:\" needs a path (e.g. \"file:/run/secrets/token\")";
        }
        return "";
    }
    return why;
}

TargetSpec read_target(const json& j, RunMode mode, std::string_view source) {
    TargetSpec t;
    FieldReader r(j, "target", source);
    r.allow({"kind", "url", "token", "admin_token", "ca_file", "insecure_skip_verify", "server",
             "server_threads"});
    std::size_t kind = 0;
    r.read_choice("kind", kind, {"embedded", "external"});
    t.kind = kind == 0 ? TargetKind::embedded : TargetKind::external;
    if (t.kind == TargetKind::external && mode == RunMode::sim) {
        r.fail_at("kind",
                  "\"external\" cannot run in mode \"sim\" (the simulator runs the mock "
                  "server's core in-process; use kind \"embedded\" or mode \"real\")");
    }

    // Fields of the other kind are errors, not silently ignored.
    auto only_for = [&](std::string_view key, TargetKind wanted, const char* name) {
        if (r.get(key) && t.kind != wanted) {
            r.fail_at(key, std::string("only for kind \"") + name + "\"");
        }
    };
    only_for("url", TargetKind::external, "external");
    only_for("token", TargetKind::external, "external");
    only_for("admin_token", TargetKind::external, "external");
    only_for("ca_file", TargetKind::external, "external");
    only_for("insecure_skip_verify", TargetKind::external, "external");
    only_for("server", TargetKind::embedded, "embedded");
    only_for("server_threads", TargetKind::embedded, "embedded");

    if (t.kind == TargetKind::external) {
        if (!r.read_string("url", t.url)) {
            r.fail_at("url", "required for kind \"external\" (e.g. \"http://127.0.0.1:8080\")");
        }
        if (auto problem = base_url_problem(t.url); !problem.empty()) {
            r.fail_at("url", problem);
        }
        for (const char* key : {"token", "admin_token"}) {
            std::string& out = std::string_view(key) == "token" ? t.token : t.admin_token;
            const json* v = r.get(key);
            if (!v) {
                continue;
            }
            if (!v->is_string()) {
                r.fail_at(key, "expected a string \"env:NAME\" or \"file:PATH\" (got " +
                                   describe(*v) + ")");
            }
            if (auto problem = secret_ref_problem(v->get_ref<const std::string&>());
                !problem.empty()) {
                r.fail_at(key, problem);
            }
            out = v->get<std::string>();
        }
        bool https = t.url.starts_with("https://");
        if (r.read_string("ca_file", t.ca_file)) {
            if (!https) {
                r.fail_at("ca_file", "only for https:// URLs");
            }
            if (t.ca_file.empty()) {
                r.fail_at("ca_file", "must not be empty");
            }
        }
        if (r.read_bool("insecure_skip_verify", t.insecure_skip_verify) && !https) {
            r.fail_at("insecure_skip_verify", "only for https:// URLs");
        }
    } else {
        if (const json* server = r.get("server")) {
            // The mock core validates the content when the run starts; here
            // only its shape ("faults" rules live inside it).
            if (!server->is_object()) {
                r.fail_at("server", "expected an object (got " + describe(*server) + ")");
            }
            t.server = *server;
        }
        r.read_int("server_threads", t.server_threads, 1, kMaxServerThreads);
    }
    r.finish();
    return t;
}

}  // namespace conflictlab::harness::detail
