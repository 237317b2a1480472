// Throttle: two token buckets (global, per client) over steady time.
//
// A bucket holds up to `burst` tokens and gains `rate` tokens per second. A
// request needs one token from each enabled bucket; when any lacks it, none is
// taken and the wait is the longest time until every bucket has one. Times
// that go backwards (threads read the clock before taking the lock in a
// different order) count as no time passing.

#include "conflictlab/mock/faults/throttle.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace conflictlab::mock {

namespace {

using nlohmann::json;

double effective_burst(double rate, double burst) {
    return burst > 0 ? burst : std::max(1.0, rate);
}

void refill(double& tokens, std::optional<SteadyTime>& last, SteadyTime now, double rate,
            double burst) {
    if (!last) {
        last = now;  // a bucket starts full at its first request
    } else if (now > *last) {
        const double elapsed_s = std::chrono::duration<double>(now - *last).count();
        tokens = std::min(burst, tokens + elapsed_s * rate);
        last = now;
    }
}

// Time until `tokens` reaches 1, rounded up to whole milliseconds.
std::chrono::milliseconds wait_for_token(double tokens, double rate) {
    const double ms = std::ceil((1.0 - tokens) / rate * 1000.0);
    return std::chrono::milliseconds{std::max<std::int64_t>(1, static_cast<std::int64_t>(ms))};
}

std::string describe(const json& v) {
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

[[noreturn]] void fail(std::string_view field, std::string_view expectation, const json& v) {
    throw std::invalid_argument(std::string(field) + ": " + std::string(expectation) + ", got " +
                                describe(v));
}

double rate_field(const json& doc, const char* key, double fallback) {
    const auto it = doc.find(key);
    if (it == doc.end()) {
        return fallback;
    }
    constexpr double rate_max = 1e9;
    if (!it->is_number() || !(it->get<double>() >= 0) || it->get<double>() > rate_max) {
        fail(key, "must be a number in [0, 1e9]", *it);
    }
    return it->get<double>();
}

double burst_field(const json& doc, const char* key, double fallback) {
    const auto it = doc.find(key);
    if (it == doc.end()) {
        return fallback;
    }
    constexpr double burst_max = 1e9;
    const double v = it->is_number() ? it->get<double>() : -1;
    if (!(v == 0 || (v >= 1 && v <= burst_max))) {
        fail(key, "must be 0 (one second's worth) or a number in [1, 1e9]", *it);
    }
    return v;
}

}  // namespace

ThrottleOptions parse_throttle_options(const json& doc) {
    if (!doc.is_object()) {
        fail("throttle", "must be an object", doc);
    }
    constexpr std::array<std::string_view, 6> allowed{"global_rate_per_s",     "global_burst",
                                                      "per_client_rate_per_s", "per_client_burst",
                                                      "client_key_header",     "max_clients"};
    for (const auto& item : doc.items()) {
        if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
            throw std::invalid_argument(item.key() +
                                        ": unknown field (allowed: global_rate_per_s, "
                                        "global_burst, per_client_rate_per_s, per_client_burst, "
                                        "client_key_header, max_clients)");
        }
    }
    ThrottleOptions o;
    o.global_rate_per_s = rate_field(doc, "global_rate_per_s", o.global_rate_per_s);
    o.global_burst = burst_field(doc, "global_burst", o.global_burst);
    o.per_client_rate_per_s = rate_field(doc, "per_client_rate_per_s", o.per_client_rate_per_s);
    o.per_client_burst = burst_field(doc, "per_client_burst", o.per_client_burst);
    if (const auto it = doc.find("client_key_header"); it != doc.end()) {
        const bool ok = it->is_string() && !it->get_ref<const std::string&>().empty() &&
                        std::all_of(it->get_ref<const std::string&>().begin(),
                                    it->get_ref<const std::string&>().end(), [](char c) {
                                        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                               (c >= '0' && c <= '9') || c == '-' || c == '_';
                                    });
        if (!ok) {
            fail("client_key_header", "must be a header field name such as \"X-Client-Id\"", *it);
        }
        o.client_key_header = it->get<std::string>();
    }
    if (const auto it = doc.find("max_clients"); it != doc.end()) {
        constexpr std::int64_t clients_limit = 10'000'000;
        if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
            it->get<std::int64_t>() > clients_limit) {
            fail("max_clients", "must be an integer in [1, 10000000]", *it);
        }
        o.max_clients = it->get<std::size_t>();
    }
    return o;
}

json to_json(const ThrottleOptions& o) {
    return {{"global_rate_per_s", o.global_rate_per_s},
            {"global_burst", o.global_burst},
            {"per_client_rate_per_s", o.per_client_rate_per_s},
            {"per_client_burst", o.per_client_burst},
            {"client_key_header", o.client_key_header},
            {"max_clients", o.max_clients}};
}

std::string retry_after_seconds(std::chrono::milliseconds wait) {
    const auto s = std::chrono::ceil<std::chrono::seconds>(wait).count();
    return std::to_string(std::max<std::int64_t>(1, s));
}

Throttle::Throttle(ThrottleOptions options)
    : options_(std::move(options)),
      global_burst_(effective_burst(options_.global_rate_per_s, options_.global_burst)),
      per_client_burst_(effective_burst(options_.per_client_rate_per_s, options_.per_client_burst)),
      global_enabled_(options_.global_rate_per_s > 0),
      per_client_enabled_(options_.per_client_rate_per_s > 0) {
    options_.max_clients = std::max<std::size_t>(1, options_.max_clients);
    global_.tokens = global_burst_;
}

Throttle::Client& Throttle::client(std::string_view key, SteadyTime now) {
    if (const auto it = clients_.find(key); it != clients_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return it->second;
    }
    if (clients_.size() >= options_.max_clients) {
        clients_.erase(lru_.back());
        lru_.pop_back();
    }
    lru_.emplace_front(key);
    Client& c = clients_[lru_.front()];
    c.bucket = Bucket{per_client_burst_, now};
    c.lru = lru_.begin();
    return c;
}

std::optional<std::chrono::milliseconds> Throttle::admit(std::string_view client_key,
                                                         SteadyTime now) {
    if (!enabled()) {
        return std::nullopt;
    }
    std::lock_guard lock(mu_);
    std::optional<std::chrono::milliseconds> wait;
    if (global_enabled_) {
        refill(global_.tokens, global_.last, now, options_.global_rate_per_s, global_burst_);
        if (global_.tokens < 1) {
            wait = wait_for_token(global_.tokens, options_.global_rate_per_s);
        }
    }
    Bucket* per_client = nullptr;
    if (per_client_enabled_) {
        per_client = &client(client_key, now).bucket;
        refill(per_client->tokens, per_client->last, now, options_.per_client_rate_per_s,
               per_client_burst_);
        if (per_client->tokens < 1) {
            wait = std::max(wait.value_or(std::chrono::milliseconds{0}),
                            wait_for_token(per_client->tokens, options_.per_client_rate_per_s));
        }
    }
    if (wait) {
        return wait;
    }
    if (global_enabled_) {
        global_.tokens -= 1;
    }
    if (per_client) {
        per_client->tokens -= 1;
    }
    return std::nullopt;
}

std::size_t Throttle::client_count() const {
    std::lock_guard lock(mu_);
    return clients_.size();
}

}  // namespace conflictlab::mock
