#pragma once
// The embedded mock server's configuration from a scenario's target.server:
// the core options (seeded with the run seed unless the scenario names one)
// and the fault rules, held back so they are installed only after the
// resources are created (seeding never meets a fault, and rule counters start
// with the writers). Shared by the real runner and the simulator, which run
// the same core.
//
// Thread-safety: pure.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "conflictlab/harness/scenario.hpp"
#include "conflictlab/mock/core_options.hpp"

namespace conflictlab::harness::run_detail {

struct EmbeddedServerConfig {
    mock::CoreOptions options;   // without fault rules
    nlohmann::json fault_rules;  // null when the scenario has none
};

// Throws std::invalid_argument naming the field ("target.server.<field>: ...",
// "target.server.fault_rules: ...") when the options or the rules are bad:
// bad input is reported before anything runs.
EmbeddedServerConfig embedded_server_config(const TargetSpec& spec, std::uint64_t seed);

}  // namespace conflictlab::harness::run_detail
