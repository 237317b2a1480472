#pragma once
// MiniStore: a tiny ETag-enforcing resource store behind a CannedServer, for
// driver tests that need real conflicts without the mock server binary.
// GET /resources/{id} -> 200 + ETag; PUT with a matching If-Match (or no
// resource yet) -> 200 + new ETag; a stale If-Match -> 412. A per-request
// hook may answer first (faults). Thread-safe.

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "canned_server.hpp"

namespace conflictlab::engine::testing {

class MiniStore {
  public:
    // Returns a reply to use instead of the store's answer, or nullopt.
    using Hook = std::function<std::optional<CannedReply>(const CannedRequest&, int request_index)>;

    explicit MiniStore(Hook hook = {})
        : hook_(std::move(hook)), server_([this](const CannedRequest& r) { return handle(r); }) {}

    std::string base_url() const { return server_.base_url(); }
    CannedServer& server() { return server_; }

    void put_state(const std::string& id, nlohmann::json doc) {
        std::lock_guard lock(mutex_);
        auto& e = docs_[id];
        e.doc = std::move(doc);
        ++e.version;
    }
    std::optional<nlohmann::json> state(const std::string& id) {
        std::lock_guard lock(mutex_);
        auto it = docs_.find(id);
        if (it == docs_.end())
            return std::nullopt;
        return it->second.doc;
    }
    std::string etag(const std::string& id) {
        std::lock_guard lock(mutex_);
        return "\"v" + std::to_string(docs_[id].version) + "\"";
    }

  private:
    struct Entry {
        nlohmann::json doc;
        int version = 0;
    };

    CannedReply handle(const CannedRequest& r) {
        int index;
        {
            std::lock_guard lock(mutex_);
            index = requests_++;
        }
        if (hook_) {
            if (auto reply = hook_(r, index))
                return *reply;
        }
        std::string id = r.target.substr(r.target.rfind('/') + 1);
        std::lock_guard lock(mutex_);
        auto it = docs_.find(id);
        if (r.method == "GET") {
            if (it == docs_.end())
                return {http_response(404, R"({"title":"not found"})")};
            return {http_response(200, it->second.doc.dump(),
                                  {{"ETag", "\"v" + std::to_string(it->second.version) + "\""},
                                   {"Content-Type", "application/json"}})};
        }
        auto im = r.headers.find("if-match");
        if (it != docs_.end() && im != r.headers.end() &&
            im->second != "\"v" + std::to_string(it->second.version) + "\"") {
            return {http_response(412, R"({"title":"precondition failed"})",
                                  {{"Content-Type", "application/problem+json"}})};
        }
        auto& e = docs_[id];
        nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
        if (r.method == "PATCH") {
            e.doc.merge_patch(body);
        } else {
            e.doc = body;
        }
        ++e.version;
        return {http_response(200, e.doc.dump(),
                              {{"ETag", "\"v" + std::to_string(e.version) + "\""},
                               {"Content-Type", "application/json"}})};
    }

    Hook hook_;
    std::mutex mutex_;
    std::map<std::string, Entry> docs_;
    int requests_ = 0;
    CannedServer server_;  // last: stopped first
};

}  // namespace conflictlab::engine::testing
