#pragma once
// Small HTTP helpers for the core's handlers: reason phrases, JSON and
// problem+json (RFC 9457) responses, media-type checks, request targets.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/common/headers.hpp"
#include "conflictlab/mock/exchange.hpp"

namespace conflictlab::mock {

inline constexpr std::string_view kJsonType = "application/json";
inline constexpr std::string_view kProblemType = "application/problem+json";
inline constexpr std::string_view kMergePatchType = "application/merge-patch+json";
inline constexpr std::string_view kJsonPatchType = "application/json-patch+json";

// "Precondition Failed" for 412; "Unknown" for codes we never send.
std::string_view reason_phrase(int status) noexcept;

// A response with a JSON body already serialized.
Response json_response(int status, std::string body_text);

// An RFC 9457 problem. `type` is a URI ("urn:conflictlab:problem:..." or
// "about:blank"); `extra` members (an object or null) are added after the
// standard ones.
// The body is problem_json(...).dump(), written directly for the usual
// problems (same bytes; see http_util.cpp).
Response make_problem(int status, std::string_view type, std::string detail,
                      std::string_view instance, const nlohmann::json& extra = nullptr);
// The same problem as a JSON value.
nlohmann::json problem_json(int status, std::string_view type, std::string detail,
                            std::string_view instance, const nlohmann::json& extra = nullptr);

// True when the Content-Type media type (parameters ignored, case-insensitive)
// is `media_type`.
bool has_media_type(const HeaderFields& headers, std::string_view media_type);

// The request target split into path and query (without the '?').
struct Target {
    std::string_view path;
    std::string_view query;
};
Target split_target(std::string_view target) noexcept;

// The raw value of `name` in an application/x-www-form-urlencoded query
// (first occurrence), or nullopt.
std::optional<std::string_view> query_param(std::string_view query, std::string_view name) noexcept;

// Resource ids: 1..256 characters of RFC 3986 pchar without '%' (no
// percent-decoding, so an id is spelled the same in paths and in JSON).
bool valid_resource_id(std::string_view id) noexcept;
inline constexpr std::size_t kResourceIdMax = 256;

// A strictly positive decimal integer up to `max`, or nullopt.
std::optional<std::size_t> parse_positive(std::string_view text, std::size_t max) noexcept;

// Lower-case hex of the bytes; and back (nullopt on odd length or non-hex).
std::string hex_encode(std::string_view bytes);
std::optional<std::string> hex_decode(std::string_view hex);

}  // namespace conflictlab::mock
