#pragma once
// Resolver: how the service gets an Update applied. The production resolver
// runs the engine's AsyncDriver (keep-alive pool, TLS, bearer token) under
// one Policy; tests substitute a fake that completes resolutions by hand, so
// the service is tested without sockets.
//
// Thread-safety: implementations are thread-safe; on_done may run on any
// thread, exactly once per resolve() (unless the resolver is destroyed first).
// Ownership: the driver resolver owns its driver and a copy of the policy.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "conflictlab/engine/driver_options.hpp"
#include "conflictlab/engine/outcome.hpp"
#include "conflictlab/engine/policy.hpp"
#include "conflictlab/engine/update.hpp"

namespace conflictlab::service {

class Resolver {
  public:
    using OnDone = std::function<void(engine::Outcome)>;
    virtual ~Resolver() = default;
    // Starts applying `update`; `on_done` gets its outcome. May throw
    // std::invalid_argument / std::length_error before anything is sent.
    virtual void resolve(engine::Update update, OnDone on_done) = 0;
    // Waits until nothing is in flight or `timeout` passes; true when idle.
    virtual bool wait_idle(std::chrono::milliseconds timeout) = 0;
    // Prometheus text about the resolver's HTTP client (may be empty).
    virtual std::string prometheus_text() const { return {}; }
};

// The engine's AsyncDriver under `policy`. Throws what AsyncDriver throws for
// bad options (engine::TargetError, std::runtime_error) and PolicyError.
std::unique_ptr<Resolver> make_driver_resolver(engine::DriverOptions options,
                                               engine::Policy policy);

}  // namespace conflictlab::service
