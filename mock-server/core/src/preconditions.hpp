#pragma once
// Conditional requests (RFC 9110 13.1): If-Match uses the strong comparison
// function, If-None-Match the weak one. The server's tokens are stored bare
// (the wire style is presentation only), so "the server's tag" compared
// against is the stored token; what the client sent decides weakness: a weak
// tag (W/"x") never matches If-Match unless the server is configured to be
// lenient.

#include <optional>
#include <string_view>

#include "conflictlab/common/etag.hpp"
#include "conflictlab/common/headers.hpp"
#include "conflictlab/mock/store.hpp"

namespace conflictlab::mock {

struct Preconditions {
    std::optional<EntityTagCondition> if_match;
    std::optional<EntityTagCondition> if_none_match;
};

// Parses If-Match and If-None-Match (repeated fields combined). Returns the
// name of the first malformed field, or nullopt when both are well formed.
std::optional<std::string_view> parse_preconditions(const HeaderFields& headers,
                                                    Preconditions& out);

// RFC 9110 13.1.1: true when `*` and a current representation exists, or when
// a listed tag strongly matches the current token. `current` null or a
// tombstone means no current representation (always false).
bool if_match_passes(const EntityTagCondition& condition, const ResourceVersion* current,
                     bool lenient_weak_match) noexcept;

// RFC 9110 13.1.2: true when the condition MATCHES (so the request's
// condition is false): `*` and a current representation exists, or a listed
// tag weakly matches the current token.
bool if_none_match_matches(const EntityTagCondition& condition,
                           const ResourceVersion* current) noexcept;

}  // namespace conflictlab::mock
