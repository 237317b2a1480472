#include "alert_sink.hpp"

namespace conflictlab::mock {

void AlertSink::add(nlohmann::json body, WallTime received_at) {
    std::lock_guard lock(mutex_);
    if (alerts_.size() >= limit_) {
        alerts_.pop_front();
        ++dropped_;
    }
    alerts_.push_back({received_at, std::move(body)});
}

nlohmann::json AlertSink::to_json() const {
    std::lock_guard lock(mutex_);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& alert : alerts_) {
        list.push_back({{"received_at", format_rfc3339(alert.received_at)}, {"body", alert.body}});
    }
    return {{"alerts", std::move(list)}, {"count", alerts_.size()}, {"dropped", dropped_}};
}

void AlertSink::clear() {
    std::lock_guard lock(mutex_);
    alerts_.clear();
    dropped_ = 0;
}

}  // namespace conflictlab::mock
