#pragma once
// detail: answers the front end writes itself (malformed HTTP, limits, a
// handler failure), as RFC 9457 problems built by the core, plus what the
// access log wants to know about an answer.

#include <string>
#include <string_view>

#include "conflictlab/mock/exchange.hpp"

namespace conflictlab::mock::http::detail {

// problem_response(status, <reason phrase>, detail), with Connection: close.
Response front_end_problem(int status, std::string_view detail);

// The fault rules that shaped `response`, comma-separated ("" when none).
std::string fired_rules_of(const Response& response);

}  // namespace conflictlab::mock::http::detail
