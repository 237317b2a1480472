// The TLS instantiation of Session (see plain_session.cpp).
#include "session.hpp"

namespace conflictlab::mock::http::detail {

template class Session<TlsStream>;

void start_tls_session(SharedState& shared, tcp::socket&& socket, net::ssl::context& tls) {
    std::make_shared<Session<TlsStream>>(shared, std::move(socket), tls)->start();
}

}  // namespace conflictlab::mock::http::detail
