#pragma once
// AlertSink: the /_admin/alerts endpoint's memory. The engine posts failure
// alerts (Adaptive Card JSON) to a webhook URL; pointing it here lets tests
// and scenarios assert on what was sent. Bounded: beyond `limit` the oldest
// alert is dropped and counted.
//
// Thread-safety: every member may be called concurrently (one mutex; alerts
// are rare).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

#include <nlohmann/json.hpp>

#include "conflictlab/common/http_date.hpp"

namespace conflictlab::mock {

class AlertSink {
  public:
    explicit AlertSink(std::size_t limit) : limit_(limit == 0 ? 1 : limit) {}

    void add(nlohmann::json body, WallTime received_at);
    // {"alerts": [{"received_at": "...Z", "body": {...}}, ...], "count": n, "dropped": n}
    nlohmann::json to_json() const;
    void clear();

  private:
    struct Alert {
        WallTime received_at;
        nlohmann::json body;
    };
    std::size_t limit_;
    mutable std::mutex mutex_;
    std::deque<Alert> alerts_;
    std::uint64_t dropped_ = 0;
};

}  // namespace conflictlab::mock
