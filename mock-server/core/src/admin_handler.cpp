#include "admin_handler.hpp"

#include "conflictlab/mock/faults/fault_rules.hpp"
#include "http_util.hpp"
#include "json_body.hpp"

namespace conflictlab::mock {

namespace {

using nlohmann::json;

constexpr std::string_view kTypeBadRequest = "urn:conflictlab:problem:bad-request";
constexpr std::size_t kTopDefault = 10;
constexpr std::size_t kTopMax = 1000;

Handled ok_json(const json& body, int status = 200) {
    return {json_response(status, body.dump(-1, ' ', false, json::error_handler_t::replace))};
}

Handled no_content() {
    Response r;
    r.status = 204;
    return {std::move(r)};
}

Handled method_not_allowed(std::string_view path, std::string_view allow) {
    Handled h{make_problem(405, "about:blank",
                           "allowed methods on " + std::string(path) + ": " + std::string(allow),
                           path)};
    h.response.headers.add("Allow", std::string(allow));
    return h;
}

Handled bad_request(std::string_view path, std::string detail) {
    return {make_problem(400, kTypeBadRequest, std::move(detail), path)};
}

std::optional<json> read_json(const CoreContext& ctx, const Request& request, std::string_view path,
                              Handled& error) {
    std::string detail;
    auto doc = parse_json_body(request.body, ctx.options.max_json_depth, detail);
    if (!doc) {
        error = bad_request(path, std::move(detail));
    }
    return doc;
}

Handled reset(CoreContext& ctx) {
    ctx.store.reset();
    ctx.stats.reset();
    ctx.faults.reset(ctx.clock.steady_now());
    ctx.alerts.clear();
    return no_content();
}

Handled faults(CoreContext& ctx, const Request& request, std::string_view path) {
    const std::string& method = request.method;
    if (method == "GET") {
        return ok_json(ctx.faults.rules_json());
    }
    if (method == "DELETE") {
        ctx.faults.clear();
        return no_content();
    }
    if (method == "PUT") {
        Handled error;
        auto doc = read_json(ctx, request, path, error);
        if (!doc) {
            return error;
        }
        try {
            // Validated whole before anything changes: a bad file keeps the rules in force.
            ctx.faults.replace(parse_fault_rules(*doc), ctx.clock.steady_now());
        } catch (const std::invalid_argument& e) {
            return bad_request(path, e.what());
        }
        return ok_json(ctx.faults.rules_json());
    }
    return method_not_allowed(path, "GET, PUT, DELETE");
}

Handled stats(CoreContext& ctx, std::string_view path, std::string_view query) {
    std::size_t top = kTopDefault;
    if (auto text = query_param(query, "top")) {
        auto value = parse_positive(*text, kTopMax);
        if (!value) {
            return bad_request(path, "top: must be an integer in [1, " + std::to_string(kTopMax) +
                                         "], got \"" + std::string(*text) + "\"");
        }
        top = *value;
    }
    json conflicts = ctx.stats.conflicts_json();
    json top_resources = json::array();
    for (const auto& [id, count] : ctx.store.top_conflicts(top)) {
        top_resources.push_back({{"id", id}, {"conflicts", count}});
    }
    conflicts["top_resources"] = std::move(top_resources);
    return ok_json({
        {"requests", ctx.stats.requests_json()},
        {"conflicts", std::move(conflicts)},
        {"fault_firings", ctx.faults.firings_json()},
        {"resources", ctx.store.live_count()},
        {"history_dropped", ctx.store.history_dropped()},
    });
}

Handled history(CoreContext& ctx, std::string_view path, std::string_view id) {
    if (!valid_resource_id(id)) {
        return bad_request(
            path, "resource id: must be 1-256 characters of A-Z a-z 0-9 -._~!$&'()*+,;=:@");
    }
    auto h = ctx.store.history(id);
    if (!h) {
        return {make_problem(404, "urn:conflictlab:problem:not-found",
                             "no history for resource '" + std::string(id) + "'", path)};
    }
    json body = to_json(*h);
    body["id"] = id;
    return ok_json(body);
}

Handled alerts(CoreContext& ctx, const Request& request, std::string_view path) {
    if (request.method == "GET") {
        return ok_json(ctx.alerts.to_json());
    }
    if (request.method == "DELETE") {
        ctx.alerts.clear();
        return no_content();
    }
    if (request.method == "POST") {
        Handled error;
        auto doc = read_json(ctx, request, path, error);
        if (!doc) {
            return error;
        }
        ctx.alerts.add(std::move(*doc), ctx.clock.wall_now());
        return {json_response(202, R"({"status":"accepted"})")};
    }
    return method_not_allowed(path, "GET, POST, DELETE");
}

json etag_settings(const CoreContext& ctx) {
    return {{"style", etag_style_name(ctx.etags.style())},
            {"scheme", etag_scheme_name(ctx.etags.scheme())}};
}

Handled etag_style(CoreContext& ctx, const Request& request, std::string_view path) {
    if (request.method == "GET") {
        return ok_json(etag_settings(ctx));
    }
    if (request.method != "PUT") {
        return method_not_allowed(path, "GET, PUT");
    }
    Handled error;
    auto doc = read_json(ctx, request, path, error);
    if (!doc) {
        return error;
    }
    if (!doc->is_object() || (!doc->contains("style") && !doc->contains("scheme"))) {
        return bad_request(path, "body: must be an object with \"style\" and/or \"scheme\"");
    }
    std::optional<EtagStyle> style;
    std::optional<EtagScheme> scheme;
    for (const auto& [key, value] : doc->items()) {
        const std::string name = value.is_string() ? value.get<std::string>() : std::string();
        if (key == "style") {
            style = etag_style_from_name(name);
            if (!style) {
                return bad_request(
                    path, "style: must be one of strong, weak, unquoted; got " + value.dump());
            }
        } else if (key == "scheme") {
            scheme = etag_scheme_from_name(name);
            if (!scheme) {
                return bad_request(
                    path, "scheme: must be one of counter, hash, uuid; got " + value.dump());
            }
        } else {
            return bad_request(path, key + ": unknown field");
        }
    }
    // Both validated before either changes.
    if (style) {
        ctx.etags.set_style(*style);
    }
    if (scheme) {
        ctx.etags.set_scheme(*scheme);
    }
    return ok_json(etag_settings(ctx));
}

}  // namespace

Handled handle_admin(CoreContext& ctx, const Request& request, std::string_view path,
                     std::string_view query) {
    const std::string_view name = path.substr(std::string_view("/_admin/").size());
    const std::string& method = request.method;
    if (name == "reset") {
        return method == "POST" ? reset(ctx) : method_not_allowed(path, "POST");
    }
    if (name == "faults") {
        return faults(ctx, request, path);
    }
    if (name == "stats") {
        return method == "GET" ? stats(ctx, path, query) : method_not_allowed(path, "GET");
    }
    if (name.starts_with("history/")) {
        return method == "GET"
                   ? history(ctx, path, name.substr(std::string_view("history/").size()))
                   : method_not_allowed(path, "GET");
    }
    if (name == "alerts") {
        return alerts(ctx, request, path);
    }
    if (name == "etag-style") {
        return etag_style(ctx, request, path);
    }
    if (name == "config") {
        return method == "GET" ? ok_json(to_json(ctx.options)) : method_not_allowed(path, "GET");
    }
    return {make_problem(404, "urn:conflictlab:problem:not-found",
                         "no admin endpoint " + std::string(path), path)};
}

std::string render_metrics(const CoreContext& ctx) {
    std::string out;
    out.reserve(4096);
    ctx.stats.render_metrics(out);
    out +=
        "# HELP conflictlab_mock_fault_firings_total Fault rule firings since the rules were "
        "installed or reset, by rule.\n";
    out += "# TYPE conflictlab_mock_fault_firings_total counter\n";
    const nlohmann::json firings = ctx.faults.firings_json();  // kept alive for the loop
    for (const auto& [rule, count] : firings.items()) {
        out += "conflictlab_mock_fault_firings_total{rule=\"" + escape_label_value(rule) + "\"} " +
               count.dump() + "\n";
    }
    out += "# HELP conflictlab_mock_resources Live resources in the store.\n";
    out += "# TYPE conflictlab_mock_resources gauge\n";
    out += "conflictlab_mock_resources " + std::to_string(ctx.store.live_count()) + "\n";
    return out;
}

}  // namespace conflictlab::mock
