#include "tls_context.hpp"

#include <stdexcept>

#include <openssl/ssl.h>

namespace conflictlab::mock::http::detail {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> make_tls_server_context(const std::string& cert_file,
                                                      const std::string& key_file) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
        throw std::runtime_error("TLS: cannot require TLS 1.2 or later");
    }
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec) {
        throw std::runtime_error("TLS: cannot load certificate chain from " + cert_file + ": " +
                                 ec.message());
    }
    ctx->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) {
        throw std::runtime_error("TLS: cannot load private key from " + key_file + ": " +
                                 ec.message());
    }
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        throw std::runtime_error("TLS: the private key in " + key_file +
                                 " does not match the certificate in " + cert_file);
    }
    return ctx;
}

}  // namespace conflictlab::mock::http::detail
