#pragma once
// detail: conversions between Beast messages and the core's plain Request and
// Response values. Bodies are moved, never copied. The front end owns message
// framing, so Content-Length, Transfer-Encoding and Connection from the core
// are dropped and set here.

#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "conflictlab/mock/exchange.hpp"

namespace conflictlab::mock::http::detail {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

// REQUIRES: `request` is a complete parsed message; it is left moved-from.
Request to_core_request(BeastRequest&& request, const std::string& peer);

// Fills `out` (reset first) from `response`, which is left moved-from. HEAD
// answers carry the Content-Length of the body they omit; 1xx/204/304 carry
// neither body nor Content-Length. Returns the body bytes that will be sent.
std::size_t to_beast_response(Response&& response, unsigned version, bool keep_alive,
                              BeastResponse& out);

// The "reason" for a status code in an RFC 9457 title when the core has none.
std::string_view status_title(int status);

}  // namespace conflictlab::mock::http::detail
