#pragma once
// Helpers to drive a Resolution with scripted facts: no sockets, no sleeps.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/engine/resolution.hpp"

namespace conflictlab::engine::testing {

using nlohmann::json;
using namespace std::chrono_literals;

// Returns scripted uniform01() values in a cycle (0.5 when none given).
class StubRandom final : public RandomSource {
  public:
    StubRandom() = default;
    explicit StubRandom(std::vector<double> values) : values_(std::move(values)) {}
    std::uint64_t next() override { return 0; }
    double uniform01() override {
        if (values_.empty())
            return 0.5;
        return values_[i_++ % values_.size()];
    }

  private:
    std::vector<double> values_;
    std::size_t i_ = 0;
};

// A policy without backoff delays, so scripts see requests back to back.
inline Policy quick_policy() {
    Policy p;
    p.backoff.kind = BackoffKind::none;
    p.timestamp_pointer = "/updatedAt";
    return p;
}

inline Update put_update(json payload, std::optional<std::string> token = "\"v1\"") {
    Update u;
    u.resource_id = "doc-1";
    u.method = WriteMethod::put;
    u.payload = std::move(payload);
    u.base_token = std::move(token);
    u.correlation_id = "corr-1";
    u.writer_id = "writer-7";
    u.op_id = "op-42";
    return u;
}

inline Response response(int status, const json& body = nullptr,
                         std::optional<std::string> etag = std::nullopt) {
    Response r;
    r.status = status;
    if (!body.is_null())
        r.body = body.dump();
    if (etag)
        r.headers.add("ETag", *etag);
    return r;
}

inline TransportError transport(TransportErrorKind kind, bool reached) {
    return TransportError{kind, reached, ""};
}

// By value: the Action is usually a temporary.
inline SendRequest request_of(const Action& a) {
    if (!std::holds_alternative<SendRequest>(a)) {
        ADD_FAILURE() << "expected SendRequest, got index " << a.index();
        return SendRequest{};
    }
    return std::get<SendRequest>(a);
}

inline std::chrono::milliseconds sleep_of(const Action& a) {
    if (!std::holds_alternative<Sleep>(a)) {
        ADD_FAILURE() << "expected Sleep, got index " << a.index();
        return std::chrono::milliseconds{-1};
    }
    return std::get<Sleep>(a).delay;
}

inline Outcome outcome_of(const Action& a) {
    if (!std::holds_alternative<Done>(a)) {
        ADD_FAILURE() << "expected Done, got index " << a.index();
        return Outcome{};
    }
    return std::get<Done>(a).outcome;
}

inline json body_of(const SendRequest& r) {
    return json::parse(r.body);
}

inline std::string header(const SendRequest& r, std::string_view name) {
    auto v = r.headers.get(name);
    return v ? std::string(*v) : std::string("<absent>");
}

}  // namespace conflictlab::engine::testing
