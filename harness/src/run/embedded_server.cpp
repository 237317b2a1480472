#include "embedded_server.hpp"

#include <stdexcept>
#include <string>

#include "conflictlab/mock/clock.hpp"
#include "conflictlab/mock/server_core.hpp"

namespace conflictlab::harness::run_detail {

EmbeddedServerConfig embedded_server_config(const TargetSpec& spec, std::uint64_t seed) {
    nlohmann::json server = spec.server.is_object() ? spec.server : nlohmann::json::object();
    if (!server.contains("seed"))
        server["seed"] = seed;
    EmbeddedServerConfig config;
    if (auto it = server.find("fault_rules"); it != server.end()) {
        config.fault_rules = *it;
        server.erase(it);
    }
    try {
        config.options = mock::parse_core_options(server);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("target.server.") + e.what());
    }
    if (!config.fault_rules.is_null()) {
        mock::CoreOptions check = config.options;
        check.fault_rules = config.fault_rules;
        try {
            mock::SystemClock clock;
            mock::ServerCore probe(std::move(check), clock);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string("target.server.fault_rules: ") + e.what());
        }
    }
    return config;
}

}  // namespace conflictlab::harness::run_detail
