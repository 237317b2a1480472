// The plain-TCP instantiation of Session (compiled apart from the TLS one so
// the two heavy translation units build in parallel).
#include "session.hpp"

namespace conflictlab::mock::http::detail {

template class Session<PlainStream>;

void start_plain_session(SharedState& shared, tcp::socket&& socket) {
    std::make_shared<Session<PlainStream>>(shared, std::move(socket))->start();
}

}  // namespace conflictlab::mock::http::detail
