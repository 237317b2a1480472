#include "conflictlab/service/signature.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "conflictlab/common/secrets.hpp"

namespace conflictlab::service {

std::string hmac_sha256_hex(std::string_view secret, std::string_view body) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    const unsigned char* data = body.empty() ? reinterpret_cast<const unsigned char*>("")
                                             : reinterpret_cast<const unsigned char*>(body.data());
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), data, body.size(),
             digest, &length) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0x0f];
    }
    return out;
}

SignatureCheck verify_signature(std::string_view secret, std::string_view body,
                                std::string_view header_value) {
    std::string_view v = header_value;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
        v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
    if (v.empty())
        return SignatureCheck::missing;
    if (v.starts_with("sha256="))
        v.remove_prefix(7);
    if (v.size() != 64)
        return SignatureCheck::malformed;
    std::string given;
    given.reserve(64);
    for (char c : v) {
        if (c >= 'A' && c <= 'F')
            c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return SignatureCheck::malformed;
        given += c;
    }
    return constant_time_equal(given, hmac_sha256_hex(secret, body)) ? SignatureCheck::valid
                                                                     : SignatureCheck::mismatch;
}

std::string_view signature_check_name(SignatureCheck check) noexcept {
    switch (check) {
        case SignatureCheck::valid:
            return "valid";
        case SignatureCheck::missing:
            return "missing";
        case SignatureCheck::malformed:
            return "malformed";
        case SignatureCheck::mismatch:
            return "mismatch";
    }
    return "mismatch";
}

}  // namespace conflictlab::service
