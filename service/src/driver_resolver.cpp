#include <sstream>

#include "conflictlab/engine/async_driver.hpp"
#include "conflictlab/service/resolver.hpp"

namespace conflictlab::service {

namespace {

class DriverResolver final : public Resolver {
  public:
    DriverResolver(engine::DriverOptions options, engine::Policy policy)
        : policy_(std::move(policy)), driver_(std::move(options)) {
        engine::validate(policy_);
    }

    void resolve(engine::Update update, OnDone on_done) override {
        driver_.submit(std::move(update), policy_, std::move(on_done));
    }

    bool wait_idle(std::chrono::milliseconds timeout) override {
        return driver_.wait_idle(timeout);
    }

    std::string prometheus_text() const override {
        const auto s = driver_.stats();
        std::ostringstream out;
        out << "# HELP conflictlab_service_target_requests_total Requests sent to the target.\n"
            << "# TYPE conflictlab_service_target_requests_total counter\n"
            << "conflictlab_service_target_requests_total " << s.http.requests << "\n"
            << "# HELP conflictlab_service_target_transport_errors_total Target requests that "
               "ended without a response.\n"
            << "# TYPE conflictlab_service_target_transport_errors_total counter\n"
            << "conflictlab_service_target_transport_errors_total " << s.http.transport_errors
            << "\n"
            << "# HELP conflictlab_service_target_connections_open Open connections to the "
               "target.\n"
            << "# TYPE conflictlab_service_target_connections_open gauge\n"
            << "conflictlab_service_target_connections_open " << s.http.connections_open_now
            << "\n";
        return out.str();
    }

  private:
    engine::Policy policy_;
    engine::AsyncDriver driver_;
};

}  // namespace

std::unique_ptr<Resolver> make_driver_resolver(engine::DriverOptions options,
                                               engine::Policy policy) {
    return std::make_unique<DriverResolver>(std::move(options), std::move(policy));
}

}  // namespace conflictlab::service
