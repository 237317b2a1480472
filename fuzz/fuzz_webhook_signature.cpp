// Fuzz target: the service's webhook signature check (service/signature.hpp).
//
// Input: secret length byte, secret, then "header\nbody". Properties: no
// exception escapes; the result is one of the four documented values; the
// correct signature of the body verifies in every accepted spelling (with
// and without "sha256=", upper-case hex, surrounding blanks); a header that
// verifies is exactly a spelling of the correct signature.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "conflictlab/service/signature.hpp"
#include "fuzz_check.hpp"

namespace service = conflictlab::service;
using service::SignatureCheck;

namespace {

std::string normalised(std::string_view header) {
    while (!header.empty() && (header.front() == ' ' || header.front() == '\t'))
        header.remove_prefix(1);
    while (!header.empty() && (header.back() == ' ' || header.back() == '\t'))
        header.remove_suffix(1);
    if (header.starts_with("sha256="))
        header.remove_prefix(7);
    std::string out(header);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    const std::size_t secret_size = std::min<std::size_t>(data[0], size - 1);
    auto rest = conflictlab::fuzz::as_text(data + 1, size - 1);
    std::string secret(rest.substr(0, secret_size));
    rest.remove_prefix(secret_size);
    if (secret.empty())
        secret = "s";  // REQUIRES: secret is not empty
    const auto newline = rest.find('\n');
    const auto header = rest.substr(0, newline);
    const auto body =
        newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);

    const std::string expected = service::hmac_sha256_hex(secret, body);
    FUZZ_CHECK(expected.size() == 64);

    const SignatureCheck check = service::verify_signature(secret, body, header);
    FUZZ_CHECK(check == SignatureCheck::valid || check == SignatureCheck::missing ||
               check == SignatureCheck::malformed || check == SignatureCheck::mismatch);
    FUZZ_CHECK((check == SignatureCheck::valid) == (normalised(header) == expected));

    std::string upper = expected;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    for (const std::string& spelling :
         {expected, "sha256=" + expected, "sha256=" + upper, " \tsha256=" + expected + "\t "}) {
        FUZZ_CHECK(service::verify_signature(secret, body, spelling) == SignatureCheck::valid);
    }
    return 0;
}
