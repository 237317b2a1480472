#pragma once
// The service's HTTP vocabulary without Beast: a request as the front end
// read it, the response the handler produces, and the handler interface. The
// handler may answer later and from any thread (the webhook answers after
// its group commit); the front end carries the answer back to the connection.
//
// Thread-safety: values; RequestHandler implementations are thread-safe.

#include <functional>
#include <string>

#include "conflictlab/common/headers.hpp"

namespace conflictlab::service {

struct HttpRequest {
    std::string method;  // "POST"
    std::string target;  // "/events/c-1?x=y" as received
    HeaderFields headers;
    std::string body;
};

struct HttpResponse {
    int status = 200;
    HeaderFields headers;  // Content-Type, Location, Retry-After ...
    std::string body;
};

// Called exactly once per request, from any thread; must not block long.
using Respond = std::function<void(HttpResponse)>;

class RequestHandler {
  public:
    virtual ~RequestHandler() = default;
    // Answers `request` by calling `respond` exactly once (possibly later,
    // possibly from another thread).
    virtual void handle(HttpRequest request, Respond respond) = 0;
};

// An application/problem+json (RFC 9457) response: {"type", "title",
// "status", "detail"}; type is "urn:conflictlab:problem:<slug>".
HttpResponse problem_response(int status, std::string_view slug, std::string_view title,
                              std::string_view detail);
// A JSON response with Content-Type: application/json.
HttpResponse json_response(int status, const std::string& body);

// The service's HTTP API (docs/service.md "HTTP API"), whichever queue is
// behind it: what each endpoint does, supplied by the service.
struct ServiceEndpoints {
    // POST /webhook: answers through `respond` (possibly later).
    std::function<void(HttpRequest, Respond)> webhook;
    // GET /events/{correlation id}.
    std::function<HttpResponse(std::string_view correlation_id)> event_status;
    // GET /metrics: Prometheus text.
    std::function<std::string()> metrics_text;
    // GET /healthz answers 503 while this is true.
    std::function<bool()> stopping;
};
// Routes `request` to `endpoints` (405 with Allow for a wrong method, 404
// problem for an unknown path). Calls `respond` exactly once.
void route_service_request(HttpRequest request, const Respond& respond,
                           const ServiceEndpoints& endpoints);

}  // namespace conflictlab::service
