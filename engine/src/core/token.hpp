#pragma once
// Version tokens as a TargetProfile reads and sends them. A token is opaque:
// it is compared and echoed, never interpreted.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "conflictlab/common/headers.hpp"
#include "conflictlab/engine/policy.hpp"

namespace conflictlab::engine::detail {

struct Token {
    std::string opaque;                  // ETag opaque-tag or body token as text
    bool weak = false;                   // from a W/ ETag (lenient mode only)
    std::optional<nlohmann::json> body;  // the body token with its JSON type
    // Strict-mode fallback from a weak ETag to the body token: the server's
    // ETag would not match it, so it is never sent in If-Match.
    bool body_only = false;

    // The If-Match field value: `"x"` or `W/"x"` (unquoted tags normalised).
    std::string if_match() const;
    // The value written at token_pointer.
    nlohmann::json body_value() const { return body ? *body : nlohmann::json(opaque); }
    // For the outcome record.
    std::string display() const;
};

struct TokenRead {
    std::optional<Token> token;
    bool weak_only = false;  // strict mode saw only a weak ETag
    std::string note;        // peer misbehaviour worth recording, else empty
};

// Reads the token of a response (headers + parsed body; body may be null).
TokenRead read_token(const TargetProfile& profile, const HeaderFields& headers,
                     const nlohmann::json* body);

// Interprets Update::base_token under the profile.
TokenRead read_base_token(const TargetProfile& profile, const std::string& raw);

bool sink_header(const TargetProfile& profile);
bool sink_body(const TargetProfile& profile);

}  // namespace conflictlab::engine::detail
