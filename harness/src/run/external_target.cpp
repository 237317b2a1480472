// An external target with the mock server's API shape: resources are seeded
// with PUT, histories read from /_admin/history/{id}, final states with GET.

#include <stdexcept>
#include <thread>

#include "target.hpp"

namespace conflictlab::harness::run_detail {

namespace {

constexpr std::chrono::milliseconds kAdminTimeout{10000};
constexpr int kReadAttempts = 6;
constexpr std::chrono::milliseconds kFirstReadRetryDelay{50};

bool worth_retrying(const ExchangeResult& r) {
    if (r.error)
        return true;
    const int status = r.response->status;
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

// The reads after the run decide the verdict: a transient failure there
// (an injected fault still armed, a connection the server closed while the
// writers were busy) must not turn acknowledged writes into "lost" ones.
// GETs are safe to repeat; bounded: 6 tries within about 1.6 s.
ExchangeResult read_with_retries(HttpClient& client, const engine::SendRequest& request) {
    auto delay = kFirstReadRetryDelay;
    for (int attempt = 1;; ++attempt) {
        ExchangeResult r = client.exchange_blocking(request);
        if (attempt == kReadAttempts || !worth_retrying(r))
            return r;
        std::this_thread::sleep_for(delay);
        delay *= 2;
    }
}

class ExternalTarget final : public Target {
  public:
    // Two clients because a client's token replaces any Authorization a
    // request carries: the data one for seeding and final reads, the admin
    // one (admin token, else the data token) for /_admin.
    ExternalTarget(std::string url, HttpTarget target, HttpTarget admin)
        : url_(std::move(url)),
          target_(std::move(target)),
          client_(target_, 1, 4),
          admin_client_(std::move(admin), 1, 2) {
        client_.start();
        admin_client_.start();
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
        const ExchangeResult r = read_with_retries(client_, get);
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
    void stop() override {
        client_.stop();
        admin_client_.stop();
    }

  private:
    std::optional<std::string> admin_get(const std::string& path, std::string& error) {
        engine::SendRequest r;
        r.method = "GET";
        r.path = path;
        r.timeout = kAdminTimeout;
        const ExchangeResult result = read_with_retries(admin_client_, r);
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
    HttpClient client_;
    HttpClient admin_client_;
};

}  // namespace

std::unique_ptr<Target> make_external_target(const std::string& url, const TargetSpec& spec) {
    HttpTarget target;
    target.url = url;
    target.bearer_token_secret = spec.token;
    target.ca_file = spec.ca_file;
    target.insecure_skip_verify = spec.insecure_skip_verify;
    HttpTarget admin = target;
    if (!spec.admin_token.empty())
        admin.bearer_token_secret = spec.admin_token;
    return std::make_unique<ExternalTarget>(url, std::move(target), std::move(admin));
}

}  // namespace conflictlab::harness::run_detail
