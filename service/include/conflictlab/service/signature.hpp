#pragma once
// Inbound webhook signatures: HMAC-SHA256 (RFC 2104, FIPS 180-4) of the raw
// request body with a shared secret, sent hex-encoded in a header:
//
//   X-Signature-256: sha256=5c4a...e1   (64 hex digits; "sha256=" optional,
//                                        hex case-insensitive)
//
// The comparison is constant-time (conflictlab::constant_time_equal), so
// response timing reveals nothing about the expected value. The secret is
// never logged or put into a message.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

namespace conflictlab::service {

// Lower-case hex of HMAC-SHA256(secret, body) (OpenSSL's HMAC).
std::string hmac_sha256_hex(std::string_view secret, std::string_view body);

enum class SignatureCheck {
    valid,
    missing,    // no header value
    malformed,  // not [sha256=]<64 hex digits>
    mismatch,   // well-formed, wrong
};

// Checks `header_value` (the signature header's value) against the body.
// REQUIRES: secret is not empty.
SignatureCheck verify_signature(std::string_view secret, std::string_view body,
                                std::string_view header_value);

// "valid" "missing" "malformed" "mismatch".
std::string_view signature_check_name(SignatureCheck check) noexcept;

}  // namespace conflictlab::service
