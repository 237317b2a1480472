// The embedded target: ServerCore + MockHttpServer in this process. Admin
// reads go to the core directly (no socket): the Store for histories and
// final states, the core's admin handler for stats and alerts.

#include <algorithm>
#include <stdexcept>

#include "conflictlab/common/etag.hpp"
#include "conflictlab/mock/clock.hpp"
#include "conflictlab/mock/core_options.hpp"
#include "conflictlab/mock/http/mock_http_server.hpp"
#include "conflictlab/mock/server_core.hpp"
#include "embedded_server.hpp"
#include "target.hpp"

namespace conflictlab::harness::run_detail {

namespace {

constexpr int kSeedTries = 20;

mock::Response admin(mock::ServerCore& core, std::string method, std::string target,
                     std::string body = {}) {
    mock::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.peer = "harness";
    if (!r.body.empty())
        r.headers.add("Content-Type", "application/json");
    if (const auto& token = core.options().admin_token) {
        r.headers.add("Authorization", "Bearer " + *token);
    }
    return core.handle(r);
}

class EmbeddedTarget final : public Target {
  public:
    EmbeddedTarget(mock::CoreOptions options, nlohmann::json fault_rules, int threads,
                   int max_connections)
        : fault_rules_(std::move(fault_rules)), threads_(threads) {
        core_ = std::make_unique<mock::ServerCore>(std::move(options), clock_);
        mock::http::ListenerOptions listen;
        listen.address = "127.0.0.1";
        listen.port = 0;
        listen.threads = threads;
        listen.body_limit_bytes = core_->options().body_limit_bytes;
        listen.max_connections = static_cast<std::size_t>(std::max(max_connections, 1)) + 64;
        server_ = std::make_unique<mock::http::MockHttpServer>(*core_, listen);
        port_ = server_->start();
    }

    ~EmbeddedTarget() override { stop(); }

    HttpTarget http_target() const override {
        HttpTarget t;
        t.url = "http://127.0.0.1:" + std::to_string(port_);
        return t;
    }

    std::string describe() const override {
        return "embedded http://127.0.0.1:" + std::to_string(port_);
    }

    std::string seed(const std::string& id, const nlohmann::json& body) override {
        mock::Request r;
        r.method = "PUT";
        r.target = "/resources/" + id;
        r.body = body.dump();
        r.peer = "harness-seed";
        r.headers.add("Content-Type", "application/json");
        r.headers.add("X-Writer-Id", std::string(kSetupWriterId));
        if (const auto& token = core_->options().resource_token) {
            r.headers.add("Authorization", "Bearer " + *token);
        }
        int status = 0;
        for (int attempt = 0; attempt < kSeedTries; ++attempt) {
            status = core_->handle(r).status;
            if (status >= 200 && status < 300)
                return {};
            if (status != 429 && status != 503)
                break;  // throttled: try again
        }
        return "seeding " + id + ": the embedded server answered " + std::to_string(status);
    }

    std::string arm() override {
        if (fault_rules_.is_null())
            return {};
        const mock::Response r = admin(*core_, "PUT", "/_admin/faults", fault_rules_.dump());
        if (r.status / 100 != 2) {
            return "target.server.fault_rules: the server refused them: " + r.body;
        }
        return {};
    }

    std::optional<ServerResource> resource(const std::string& id, std::string&) override {
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
                w.named_etag = std::move(e.named_etag);
                w.conditional = e.conditional;
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

    nlohmann::json stats() override {
        const mock::Response r = admin(*core_, "GET", "/_admin/stats");
        return nlohmann::json::parse(r.body, nullptr, false);
    }

    std::uint64_t alerts_received() override {
        const mock::Response r = admin(*core_, "GET", "/_admin/alerts");
        const auto j = nlohmann::json::parse(r.body, nullptr, false);
        if (!j.is_object())
            return 0;
        return j.value("count", std::uint64_t{0}) + j.value("dropped", std::uint64_t{0});
    }

    bool deliver_alert(const nlohmann::json& alert) override {
        return admin(*core_, "POST", "/_admin/alerts", alert.dump()).status / 100 == 2;
    }

    int server_threads() const override { return threads_; }

    void stop() override {
        if (server_)
            server_->stop();
    }

  private:
    mock::SystemClock clock_;
    nlohmann::json fault_rules_;
    int threads_;
    std::unique_ptr<mock::ServerCore> core_;
    std::unique_ptr<mock::http::MockHttpServer> server_;
    std::uint16_t port_ = 0;
};

}  // namespace

std::unique_ptr<Target> start_embedded_target(const TargetSpec& spec, int server_threads,
                                              std::uint64_t seed, int max_connections) {
    EmbeddedServerConfig config = embedded_server_config(spec, seed);
    return std::make_unique<EmbeddedTarget>(std::move(config.options),
                                            std::move(config.fault_rules),
                                            std::max(1, server_threads), max_connections);
}

}  // namespace conflictlab::harness::run_detail
