#include "conflictlab/service/http_types.hpp"

#include <nlohmann/json.hpp>

namespace conflictlab::service {

HttpResponse problem_response(int status, std::string_view slug, std::string_view title,
                              std::string_view detail) {
    nlohmann::json body = {{"type", "urn:conflictlab:problem:" + std::string(slug)},
                           {"title", title},
                           {"status", status},
                           {"detail", detail}};
    HttpResponse r;
    r.status = status;
    r.headers.set("Content-Type", "application/problem+json");
    r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

HttpResponse json_response(int status, const std::string& body) {
    HttpResponse r;
    r.status = status;
    r.headers.set("Content-Type", "application/json");
    r.body = body;
    return r;
}

namespace {

HttpResponse method_not_allowed(std::string_view allow) {
    auto r = problem_response(405, "method-not-allowed", "Method Not Allowed",
                              "this resource allows " + std::string(allow));
    r.headers.set("Allow", std::string(allow));
    return r;
}

}  // namespace

void route_service_request(HttpRequest request, const Respond& respond,
                           const ServiceEndpoints& endpoints) {
    const std::string_view target = request.target;
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == "/webhook") {
        if (request.method != "POST")
            return respond(method_not_allowed("POST"));
        return endpoints.webhook(std::move(request), respond);
    }
    if (path.starts_with("/events/")) {
        if (request.method != "GET")
            return respond(method_not_allowed("GET"));
        return respond(endpoints.event_status(path.substr(8)));
    }
    if (path == "/metrics") {
        if (request.method != "GET")
            return respond(method_not_allowed("GET"));
        HttpResponse r;
        r.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        r.body = endpoints.metrics_text();
        return respond(std::move(r));
    }
    if (path == "/healthz") {
        if (request.method != "GET")
            return respond(method_not_allowed("GET"));
        if (endpoints.stopping())
            return respond(json_response(503, R"({"status":"stopping"})"));
        return respond(json_response(200, R"({"status":"ok"})"));
    }
    respond(problem_response(404, "not-found", "Not Found",
                             "no such endpoint; see docs/service.md \"HTTP API\""));
}

}  // namespace conflictlab::service
