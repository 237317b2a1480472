#include <gtest/gtest.h>

#include <algorithm>

#include "conflictlab/service/signature.hpp"

namespace conflictlab::service {
namespace {

// RFC 4231 4.3, test case 2: key "Jefe", data "what do ya want for nothing?".
constexpr const char* kRfc4231Case2 =
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

TEST(Signature, Rfc4231_TestCase2) {
    EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"), kRfc4231Case2);
}

TEST(Signature, ValidWithAndWithoutPrefix) {
    const std::string body = "what do ya want for nothing?";
    EXPECT_EQ(verify_signature("Jefe", body, std::string("sha256=") + kRfc4231Case2),
              SignatureCheck::valid);
    EXPECT_EQ(verify_signature("Jefe", body, kRfc4231Case2), SignatureCheck::valid);
}

TEST(Signature, HexIsCaseInsensitive) {
    std::string upper = kRfc4231Case2;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    EXPECT_EQ(verify_signature("Jefe", "what do ya want for nothing?", "sha256=" + upper),
              SignatureCheck::valid);
}

TEST(Signature, MissingHeader) {
    EXPECT_EQ(verify_signature("Jefe", "x", ""), SignatureCheck::missing);
}

TEST(Signature, MalformedValue) {
    EXPECT_EQ(verify_signature("Jefe", "x", "sha256=abc"), SignatureCheck::malformed);
    EXPECT_EQ(verify_signature("Jefe", "x", "sha256=" + std::string(64, 'g')),
              SignatureCheck::malformed);
}

TEST(Signature, WrongSecretOrBodyIsAMismatch) {
    const std::string sig = "sha256=" + hmac_sha256_hex("Jefe", "body");
    EXPECT_EQ(verify_signature("Jefe", "body", sig), SignatureCheck::valid);
    EXPECT_EQ(verify_signature("jefe", "body", sig), SignatureCheck::mismatch);
    EXPECT_EQ(verify_signature("Jefe", "body ", sig), SignatureCheck::mismatch);
}

}  // namespace
}  // namespace conflictlab::service
