#pragma once
// detail: ServerCore seen as an ExchangeHandler.

#include <memory>

#include "conflictlab/mock/http/exchange_handler.hpp"

namespace conflictlab::mock {
class ServerCore;
}

namespace conflictlab::mock::http::detail {

// REQUIRES: `core` outlives the returned handler.
std::unique_ptr<ExchangeHandler> make_core_exchange_handler(ServerCore& core);

}  // namespace conflictlab::mock::http::detail
