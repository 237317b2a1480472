// An external target with the mock server's API shape: resources are seeded
// with PUT, histories read from /_admin/history/{id}, final states with GET.

#include <stdexcept>

#include "conflictlab/common/secrets.hpp"
#include "target.hpp"

namespace conflictlab::harness::run_detail {

namespace {

constexpr std::chrono::milliseconds kAdminTimeout{10000};

class ExternalTarget final : public Target {
  public:
    ExternalTarget(std::string url, HttpTarget target, std::string admin_token)
        : url_(std::move(url)),
          target_(std::move(target)),
          admin_token_(std::move(admin_token)),
          client_(target_, 1, 4) {
        client_.start();
    }
    ~ExternalTarget() override { stop(); }

    HttpTarget http_target() const override { return target_; }
    std::string describe() const override { return url_; }

    std::string seed(const std::string& id, const nlohmann::json& body) override {
        engine::SendRequest r;
        r.method = "PUT";
        r.path = "/resources/" + id;
        r.body = body.dump();
        r.timeout = kAdminTimeout;
        r.headers.add("Content-Type", "application/json");
        r.headers.add("X-Writer-Id", std::string(kSetupWriterId));
        const ExchangeResult result = client_.exchange_blocking(r);
        if (result.error)
            return "seeding " + id + ": " + result.error->detail;
        if (result.response->status / 100 != 2) {
            return "seeding " + id + ": the target answered " +
                   std::to_string(result.response->status) +
                   " (an external target should start empty: reset it first)";
        }
        return {};
    }

    std::string arm() override { return {}; }

    std::optional<ServerResource> resource(const std::string& id, std::string& error) override {
        ServerResource out;
        out.id = id;
        const auto history = admin_get("/_admin/history/" + id, error);
        if (!history)
            return std::nullopt;
        const nlohmann::json doc = nlohmann::json::parse(*history, nullptr, false);
        if (!doc.is_object() || !doc.contains("entries") || !doc["entries"].is_array()) {
            error = "history of " + id + ": not the mock server's history format";
            return std::nullopt;
        }
        out.dropped = doc.value("dropped", std::uint64_t{0});
        for (const auto& e : doc["entries"]) {
            ServerWrite w;
            w.version = e.value("version", std::uint64_t{0});
            w.etag = e.value("etag", std::string());
            w.replaced_etag = e.value("replaced_etag", std::string());
            w.named_etag = e.value("named_etag", std::string());
            w.conditional = e.value("conditional", false);
            w.method = e.value("method", std::string());
            w.writer_id = e.value("writer_id", std::string());
            w.op_id = e.value("op_id", std::string());
            out.writes.push_back(std::move(w));
        }
        engine::SendRequest get;
        get.method = "GET";
        get.path = "/resources/" + id;
        get.timeout = kAdminTimeout;
        const ExchangeResult r = client_.exchange_blocking(get);
        if (r.error) {
            error = "final state of " + id + ": " + r.error->detail;
            return std::nullopt;
        }
        if (r.response->status == 404 || r.response->status == 410) {
            out.deleted = true;
        } else if (r.response->status / 100 == 2) {
            auto body = nlohmann::json::parse(r.response->body, nullptr, false);
            if (!body.is_discarded())
                out.final_body = std::move(body);
            out.final_etag = std::string(r.response->headers.get("ETag").value_or(""));
        } else {
            error = "final state of " + id + ": status " + std::to_string(r.response->status);
            return std::nullopt;
        }
        return out;
    }

    nlohmann::json stats() override {
        std::string error;
        const auto body = admin_get("/_admin/stats", error);
        if (!body)
            return nullptr;
        auto j = nlohmann::json::parse(*body, nullptr, false);
        return j.is_discarded() ? nlohmann::json(nullptr) : j;
    }

    std::uint64_t alerts_received() override {
        std::string error;
        const auto body = admin_get("/_admin/alerts", error);
        if (!body)
            return 0;
        const auto j = nlohmann::json::parse(*body, nullptr, false);
        return j.is_object() ? j.value("count", std::uint64_t{0}) : 0;
    }

    bool deliver_alert(const nlohmann::json&) override { return false; }
    int server_threads() const override { return 0; }
    void stop() override { client_.stop(); }

  private:
    std::optional<std::string> admin_get(const std::string& path, std::string& error) {
        engine::SendRequest r;
        r.method = "GET";
        r.path = path;
        r.timeout = kAdminTimeout;
        if (!admin_token_.empty())
            r.headers.add("Authorization", "Bearer " + admin_token_);
        const ExchangeResult result = client_.exchange_blocking(r);
        if (result.error) {
            error = path + ": " + result.error->detail;
            return std::nullopt;
        }
        if (result.response->status / 100 != 2) {
            error = path + ": status " + std::to_string(result.response->status);
            return std::nullopt;
        }
        return std::move(result.response->body);
    }

    std::string url_;
    HttpTarget target_;
    std::string admin_token_;
    HttpClient client_;
};

}  // namespace

std::unique_ptr<Target> make_external_target(const std::string& url, const std::string& admin_token,
                                             const std::string& token) {
    HttpTarget target = parse_http_url(url);
    target.bearer_token = token;
    return std::make_unique<ExternalTarget>(url, std::move(target), admin_token);
}

}  // namespace conflictlab::harness::run_detail
