#pragma once
// The runner's view of what it writes to: the embedded mock server (core +
// Beast front end on an ephemeral 127.0.0.1 port) or an external URL with the
// mock server's API shape. Either way it offers the admin reads the runner
// needs after the writers stop: the version history and final state of a
// resource, the server's stats, and the alerts its sink received.
//
// Thread-safety: start()/stop() from the runner's thread; the reads may run
// while the server still serves (they see a consistent snapshot per call).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "conflictlab/harness/history.hpp"
#include "conflictlab/harness/scenario.hpp"
#include "http_client.hpp"

namespace conflictlab::harness::run_detail {

class Target {
  public:
    virtual ~Target() = default;
    // Where the writers send requests.
    virtual HttpTarget http_target() const = 0;
    // "embedded http://127.0.0.1:PORT" or the URL.
    virtual std::string describe() const = 0;
    // Creates resource `id` with `body` before the writers start. Returns an
    // error message, or "" on success.
    virtual std::string seed(const std::string& id, const nlohmann::json& body) = 0;
    // Called once seeding is done (the embedded server installs its fault
    // rules now, so seeding is never hit by them).
    virtual std::string arm() = 0;
    // The server's version history and final state of `id`.
    virtual std::optional<ServerResource> resource(const std::string& id, std::string& error) = 0;
    // /_admin/stats, or null.
    virtual nlohmann::json stats() = 0;
    // Alerts received by /_admin/alerts (0 when unknown).
    virtual std::uint64_t alerts_received() = 0;
    // Posts one alert document to the sink (embedded only; false otherwise).
    virtual bool deliver_alert(const nlohmann::json& alert) = 0;
    // Server I/O threads (0 when external).
    virtual int server_threads() const = 0;
    virtual void stop() = 0;
};

// Starts the embedded mock server. Throws std::invalid_argument naming the
// field of target.server that is wrong, std::runtime_error when it cannot
// listen. `seed` seeds the server's ETags and fault injector unless
// target.server sets its own "seed".
std::unique_ptr<Target> start_embedded_target(const TargetSpec& spec, int server_threads,
                                              std::uint64_t seed, int max_connections);

// An external server at `url` (http or https), with the token sources, CA
// file and verification switch of `spec`. Throws engine::TargetError for a
// bad URL, std::runtime_error for an unreadable token or CA file.
std::unique_ptr<Target> make_external_target(const std::string& url, const TargetSpec& spec);

}  // namespace conflictlab::harness::run_detail
