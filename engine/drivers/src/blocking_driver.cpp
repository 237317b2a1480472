#include "conflictlab/engine/blocking_driver.hpp"

#include <stdexcept>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "client_core.hpp"
#include "conflictlab/engine/resolution.hpp"

namespace conflictlab::engine {
namespace {

// The Resolution bounds its own work (attempts, deadline); this only catches
// a machine that never finishes, which would be a bug in the core.
constexpr int kMaxActionsPerResolution = 100'000;

template <class... F>
struct Overload : F... {
    using F::operator()...;
};

}  // namespace

struct BlockingDriver::Impl {
    boost::asio::io_context io{1};
    std::shared_ptr<detail::ClientCore> core;
    BlockingEnv env;

    // Runs one exchange to completion on this thread.
    HttpResult perform(SendRequest request) {
        std::optional<HttpResult> result;
        core->send(std::move(request), [&result](HttpResult r) { result = std::move(r); });
        io.restart();
        // Every operation of the exchange is bounded by its deadline
        // (tcp_stream expiry, resolver timer), so this returns.
        while (!result && io.run_one() > 0) {
        }
        if (!result) {
            return TransportError{TransportErrorKind::protocol, false,
                                  "internal: the exchange ended without a result"};
        }
        return std::move(*result);
    }
};

BlockingDriver::BlockingDriver(DriverOptions options, BlockingEnv env)
    : impl_(std::make_unique<Impl>()) {
    impl_->core =
        std::make_shared<detail::ClientCore>(impl_->io.get_executor(), std::move(options.http));
    impl_->env = std::move(env);
    if (!impl_->env.sleep) {
        impl_->env.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    }
    if (!impl_->env.now) {
        impl_->env.now = [] {
            return Timestamp(std::chrono::steady_clock::now().time_since_epoch());
        };
    }
}

BlockingDriver::~BlockingDriver() {
    impl_->core->shutdown();
    impl_->io.restart();
    impl_->io.poll();  // run the posted failures of anything queued (none in practice)
}

Outcome BlockingDriver::resolve(const Update& update, const Policy& policy, RandomSource& random) {
    Resolution resolution(update, policy, random);
    Action action = resolution.start(impl_->env.now());
    for (int i = 0; i < kMaxActionsPerResolution; ++i) {
        if (auto* done = std::get_if<Done>(&action)) {
            Outcome outcome = std::move(done->outcome);
            scrub_secret(outcome, impl_->core->secret());
            return outcome;
        }
        if (auto* sleep = std::get_if<Sleep>(&action)) {
            impl_->env.sleep(sleep->delay);
            action = resolution.on_timer(impl_->env.now());
            continue;
        }
        HttpResult result = impl_->perform(std::move(std::get<SendRequest>(action)));
        action = std::visit(
            Overload{[&](const Response& r) { return resolution.on_response(r, impl_->env.now()); },
                     [&](const TransportError& e) {
                         return resolution.on_transport_error(e, impl_->env.now());
                     }},
            result);
    }
    throw std::logic_error("BlockingDriver: resolution did not finish within " +
                           std::to_string(kMaxActionsPerResolution) + " actions");
}

HttpClientStats BlockingDriver::stats() const {
    return impl_->core->stats();
}

}  // namespace conflictlab::engine
