#pragma once
// Resolution: the sans-I/O state machine that applies one Update under
// optimistic concurrency and ends in one Outcome. It never opens a socket,
// reads a clock or sleeps: the driver feeds it facts (responses, transport
// errors, timer expiries, each with the driver's monotonic timestamp) and it
// answers with the next Action.
//
//   Resolution r(update, policy, random);
//   Action a = r.start(now);                  // SendRequest{write}
//   a = r.on_response(response, now);         // Sleep | SendRequest | Done
//   a = r.on_timer(now);                      // after a Sleep
//   a = r.on_transport_error(error, now);     // instead of a response
//
// The flow (DESIGN.md "The flow the engine implements") is in
// src/core/resolution.cpp, one transition table; docs/engine.md explains it.
//
// Errors: misuse of the API (an event the machine is not waiting for, any
// event after Done) throws std::logic_error and leaves the machine unchanged.
// Peer misbehaviour (garbage bodies, missing ETags, odd statuses) is never an
// exception: it is recorded in the Outcome.
//
// Timestamps: each event takes `now`, a reading of the driver's monotonic
// clock. They must not decrease (a smaller value is treated as equal to the
// previous one). The overloads without `now` reuse the last timestamp seen,
// for callers that do not care about timings.
//
// Thread-safety: none; one resolution is driven by one thread (or strand) at
// a time. Different resolutions are independent.
// Ownership: the Update is taken by value (move it in: its payload and base
// are then never copied); the Policy is copied, or shared read-only through a
// std::shared_ptr<const Policy> (the cheap way to start many resolutions with
// one policy); `random` is borrowed and must outlive the Resolution.
//
// Cost: the machine itself allocates little per step (the request's strings,
// one step record); the JSON work of a conflict (parse the fetched state,
// merge, serialise the retry body) dominates. docs/performance.md
// "Engine core" has the figures.

#include <memory>

#include "conflictlab/engine/action.hpp"
#include "conflictlab/engine/policy.hpp"
#include "conflictlab/engine/random.hpp"
#include "conflictlab/engine/update.hpp"

namespace conflictlab::engine {

// What the machine waits for next.
enum class Awaiting {
    start,     // start() not called yet
    response,  // a SendRequest is outstanding
    timer,     // a Sleep is outstanding
    nothing,   // Done was returned
};

class Resolution {
  public:
    // Throws std::invalid_argument (PolicyError for the policy) when the
    // update or the policy is invalid.
    Resolution(Update update, Policy policy, RandomSource& random);
    // The same with a shared, immutable policy. REQUIRES: policy != nullptr
    // (else std::invalid_argument). The policy is validated here as well.
    Resolution(Update update, std::shared_ptr<const Policy> policy, RandomSource& random);
    ~Resolution();
    Resolution(Resolution&&) noexcept;
    Resolution& operator=(Resolution&&) noexcept;
    Resolution(const Resolution&) = delete;
    Resolution& operator=(const Resolution&) = delete;

    // REQUIRES: awaiting() == Awaiting::start.
    Action start(Timestamp now);
    // REQUIRES: awaiting() == Awaiting::response.
    Action on_response(const Response& response, Timestamp now);
    // REQUIRES: awaiting() == Awaiting::response.
    Action on_transport_error(const TransportError& error, Timestamp now);
    // REQUIRES: awaiting() == Awaiting::timer.
    Action on_timer(Timestamp now);

    Action start();
    Action on_response(const Response& response);
    Action on_transport_error(const TransportError& error);
    Action on_timer();

    Awaiting awaiting() const noexcept;
    bool done() const noexcept { return awaiting() == Awaiting::nothing; }
    // The outcome returned in Done. REQUIRES: done(). (Its final_body is
    // re-read from the serialized body that was sent, on first call.)
    const Outcome& outcome() const;
    // The request currently outstanding (the one returned by the last
    // SendRequest, rebuilt on demand). REQUIRES: awaiting() == response.
    const SendRequest& pending_request() const;

  private:
    struct State;
    std::unique_ptr<State> s_;
};

}  // namespace conflictlab::engine
