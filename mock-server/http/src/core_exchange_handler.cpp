#include "core_exchange_handler.hpp"

#include "conflictlab/mock/server_core.hpp"

namespace conflictlab::mock::http::detail {

namespace {

class CoreExchangeHandler final : public ExchangeHandler {
  public:
    explicit CoreExchangeHandler(ServerCore& core) : core_(core) {}

    Response handle(const Request& request) override { return core_.handle(request); }

    void observe_latency(std::string_view method, int status,
                         std::chrono::nanoseconds latency) override {
        core_.observe_latency(method, status, latency);
    }

  private:
    ServerCore& core_;
};

}  // namespace

std::unique_ptr<ExchangeHandler> make_core_exchange_handler(ServerCore& core) {
    return std::make_unique<CoreExchangeHandler>(core);
}

}  // namespace conflictlab::mock::http::detail
