#pragma once
// Simulation: the event loop of one simulated run. The writers are the real
// runner's writers (per op: GET the resource, generate_op, drive an
// engine::Resolution until Done, record the OpRecord), as actors driven by
// events instead of sockets; the server is SimTarget's core behind a
// ServerQueue; the network is a delay per hop. Event kinds:
//
//   next-op       a writer starts its next op (or finishes)
//   arrive        a request reaches the server: queue it (ServerQueue)
//   service-done  the server finishes a request: ServerCore::handle() runs
//                 now, its injected delay and connection fate are played out
//                 on the virtual clock (delay = later delivery; reset/close =
//                 a transport error; hang = nothing until hang_limit_ms, so
//                 usually the client's timeout)
//   deliver       the response (or transport error) reaches its writer,
//                 unless that writer already gave up on the exchange
//   timeout       a writer's exchange exceeded SendRequest::timeout
//   timer         a Sleep asked for by the engine has elapsed
//
// Random draws: network delays and service times from two generators seeded
// from the run seed (salted); everything else from the seeds the workload
// planner derived (writers, resolutions) and the core's own seed.
//
// Thread-safety: run() on one thread; no other thread touches the objects.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "conflictlab/harness/console.hpp"
#include "conflictlab/harness/metrics.hpp"
#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/harness/sim/sim_model.hpp"
#include "conflictlab/harness/sim/virtual_clock.hpp"
#include "conflictlab/harness/workload.hpp"
#include "sim_target.hpp"

namespace conflictlab::harness::sim::detail {

struct SimulationOutput {
    std::vector<OpRecord> ops;  // every op, compacted, ordered by (invoked, writer)
    double wall_s = 0;          // virtual: first op started -> last op finished
    TimeSeries series;          // per virtual second
    std::uint64_t max_in_flight = 0;
    std::vector<std::string> errors;  // limits reached, writers left unfinished
    std::uint64_t events = 0;
    std::uint64_t requests = 0;  // requests that reached the server
    std::uint64_t client_timeouts = 0;
    std::uint64_t peak_pending = 0;
    double virtual_s = 0;  // virtual time of the last event
};

class Simulation {
  public:
    // Everything is borrowed for the simulation's lifetime. `progress` may be
    // null. `seed` is the run seed.
    Simulation(const Scenario& scenario, const WorkloadModel& model,
               const std::vector<WriterPlan>& writers, SimTarget& target, VirtualClock& clock,
               const SimModel& sim, std::uint64_t seed, Progress* progress);
    ~Simulation();
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    // Runs to the end (every writer done) or to a limit.
    SimulationOutput run();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conflictlab::harness::sim::detail
