#include "message_conversion.hpp"

#include <boost/beast/http/status.hpp>

#include <chrono>

#include "conflictlab/common/headers.hpp"
#include "conflictlab/common/http_date.hpp"

namespace conflictlab::mock::http::detail {

namespace bhttp = boost::beast::http;

Request to_core_request(BeastRequest&& request, const std::string& peer) {
    Request out;
    out.method = std::string(request.method_string());
    out.target = std::string(request.target());
    for (const auto& field : request) {
        out.headers.add(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(request.body());
    out.peer = peer;
    return out;
}

namespace {

bool framing_field(std::string_view name) {
    return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
           iequals(name, "Connection");
}

// RFC 9110 6.6.1: an origin server with a clock sends Date. Formatting it
// once per second per thread keeps it off the per-request cost.
const std::string& cached_http_date() {
    thread_local std::chrono::system_clock::time_point::rep second = -1;
    thread_local std::string text;
    const auto now = std::chrono::system_clock::now();
    const auto this_second =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (this_second != second) {
        second = this_second;
        text = format_http_date(now);
    }
    return text;
}

bool bodiless_status(int status) {
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

}  // namespace

std::size_t to_beast_response(Response&& response, unsigned version, bool keep_alive,
                              BeastResponse& out) {
    out = BeastResponse{};
    out.result(static_cast<unsigned>(response.status));
    out.version(version);
    for (auto& [name, value] : response.headers.fields()) {
        if (framing_field(name))
            continue;
        out.insert(name, value);
    }
    if (out.find(bhttp::field::date) == out.end())
        out.set(bhttp::field::date, cached_http_date());
    out.keep_alive(keep_alive);
    if (bodiless_status(response.status))
        return 0;
    if (response.head) {
        out.content_length(response.body.size());
        return 0;
    }
    out.body() = std::move(response.body);
    out.content_length(out.body().size());
    return out.body().size();
}

std::string_view status_title(int status) {
    return bhttp::obsolete_reason(static_cast<bhttp::status>(status));
}

}  // namespace conflictlab::mock::http::detail
