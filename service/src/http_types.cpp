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

}  // namespace conflictlab::service
