#include "sim_target.hpp"

#include <stdexcept>

#include "../run/embedded_server.hpp"
#include "conflictlab/mock/core_options.hpp"

namespace conflictlab::harness::sim::detail {

namespace {

constexpr int kSeedTries = 20;

}  // namespace

SimTarget::SimTarget(const TargetSpec& spec, std::uint64_t seed, const mock::Clock& clock) {
    if (spec.kind != TargetKind::embedded) {
        throw std::invalid_argument(
            "target.kind: \"external\" cannot be simulated (the simulator runs the mock "
            "server's core in-process; use kind \"embedded\")");
    }
    // The real runner's configuration rules, rules held back until arm().
    run_detail::EmbeddedServerConfig config = run_detail::embedded_server_config(spec, seed);
    fault_rules_ = std::move(config.fault_rules);
    core_ = std::make_unique<mock::ServerCore>(std::move(config.options), clock);
}

mock::Response SimTarget::admin(std::string method, std::string target, std::string body) {
    mock::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.peer = "harness";
    if (!r.body.empty())
        r.headers.add("Content-Type", "application/json");
    if (const auto& token = core_->options().admin_token)
        r.headers.add("Authorization", "Bearer " + *token);
    return core_->handle(r);
}

std::string SimTarget::seed(const std::string& id, const nlohmann::json& body) {
    mock::Request r;
    r.method = "PUT";
    r.target = "/resources/" + id;
    r.body = body.dump();
    r.peer = "harness-seed";
    r.headers.add("Content-Type", "application/json");
    r.headers.add("X-Writer-Id", "seed");
    if (const auto& token = core_->options().resource_token)
        r.headers.add("Authorization", "Bearer " + *token);
    int status = 0;
    for (int attempt = 0; attempt < kSeedTries; ++attempt) {
        status = core_->handle(r).status;
        if (status >= 200 && status < 300)
            return {};
        if (status != 429 && status != 503)
            break;
    }
    return "seeding " + id + ": the simulated server answered " + std::to_string(status);
}

std::string SimTarget::arm() {
    if (fault_rules_.is_null())
        return {};
    const mock::Response r = admin("PUT", "/_admin/faults", fault_rules_.dump());
    if (r.status / 100 != 2)
        return "target.server.fault_rules: the server refused them: " + r.body;
    return {};
}

ServerResource SimTarget::resource(const std::string& id) {
    ServerResource out;
    out.id = id;
    if (auto h = core_->store().history(id)) {
        out.dropped = h->dropped;
        out.writes.reserve(h->entries.size());
        for (auto& e : h->entries) {
            ServerWrite w;
            w.version = e.version;
            w.etag = std::move(e.etag);
            w.replaced_etag = std::move(e.replaced_etag);
            w.method = std::move(e.method);
            w.writer_id = std::move(e.writer_id);
            w.op_id = std::move(e.op_id);
            out.writes.push_back(std::move(w));
        }
    }
    if (const auto v = core_->store().get(id)) {
        out.deleted = v->deleted;
        if (!v->deleted) {
            out.final_body = v->body;
            out.final_etag = v->etag;
        }
    }
    return out;
}

nlohmann::json SimTarget::stats() {
    return nlohmann::json::parse(admin("GET", "/_admin/stats").body, nullptr, false);
}

std::uint64_t SimTarget::alerts_received() {
    const auto j = nlohmann::json::parse(admin("GET", "/_admin/alerts").body, nullptr, false);
    if (!j.is_object())
        return 0;
    return j.value("count", std::uint64_t{0}) + j.value("dropped", std::uint64_t{0});
}

bool SimTarget::deliver_alert(const nlohmann::json& alert) {
    return admin("POST", "/_admin/alerts", alert.dump()).status / 100 == 2;
}

}  // namespace conflictlab::harness::sim::detail
