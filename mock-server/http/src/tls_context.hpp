#pragma once
// detail: the server-side TLS context (TLS 1.2 or later) from PEM files.

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace conflictlab::mock::http::detail {

// Throws std::runtime_error naming the file (never its content) when the
// certificate chain or the key cannot be loaded or do not match.
std::unique_ptr<boost::asio::ssl::context> make_tls_server_context(const std::string& cert_file,
                                                                   const std::string& key_file);

}  // namespace conflictlab::mock::http::detail
