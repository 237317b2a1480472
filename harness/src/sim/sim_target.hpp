#pragma once
// SimTarget: the mock server's core (mock::ServerCore) in-process on the
// virtual clock, set up as the real runner sets up its embedded target: the
// scenario's target.server options, the run seed unless they name their own,
// resources created before the fault rules are armed. Admin reads (version
// histories, stats, alerts) go to the core directly. No front end, no socket.
//
// Thread-safety: none; one simulation thread. Ownership: the clock is
// borrowed and must outlive the target.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "conflictlab/harness/history.hpp"
#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/mock/clock.hpp"
#include "conflictlab/mock/server_core.hpp"

namespace conflictlab::harness::sim::detail {

class SimTarget {
  public:
    // Throws std::invalid_argument naming the field of target.server that is
    // wrong ("target.server.dialect: ...", "target.server.fault_rules: ...").
    SimTarget(const TargetSpec& spec, std::uint64_t seed, const mock::Clock& clock);

    mock::ServerCore& core() { return *core_; }

    // Creates resource `id` with `body` (no faults yet). "" or an error message.
    std::string seed(const std::string& id, const nlohmann::json& body);
    // Installs the fault rules. "" or an error message.
    std::string arm();
    // The server's version history and final state of `id`.
    ServerResource resource(const std::string& id);
    nlohmann::json stats();
    std::uint64_t alerts_received();
    bool deliver_alert(const nlohmann::json& alert);

  private:
    mock::Response admin(std::string method, std::string target, std::string body = {});

    nlohmann::json fault_rules_;
    std::unique_ptr<mock::ServerCore> core_;
};

}  // namespace conflictlab::harness::sim::detail
