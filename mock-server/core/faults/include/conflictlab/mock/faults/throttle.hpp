#pragma once
// Throttle: token-bucket rate limiting for the mock server, so clients meet a
// real 429 Too Many Requests with a truthful Retry-After. Two buckets may
// apply to a request: one global, and one per client (keyed by a header the
// caller reads, e.g. X-Client-Id, or whatever key the caller chooses when it
// is absent). A request is admitted only if every enabled bucket has a token;
// a refused request takes no token from any bucket.
//
// The per-client table is bounded (`max_clients`): a new client arriving at a
// full table evicts the least recently seen one, whose next request then
// starts with a full bucket. The global bucket still caps the total.
//
// Thread-safety: admit() and the accessors may be called from many threads
// (one mutex, held for a map lookup and a little arithmetic).

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "conflictlab/mock/clock.hpp"

namespace conflictlab::mock {

struct ThrottleOptions {
    // Tokens added to the global bucket per second; 0 turns it off.
    double global_rate_per_s = 0;
    // Global bucket capacity (requests allowed in a burst); 0 = one second's
    // worth, max(1, global_rate_per_s). Otherwise at least 1.
    double global_burst = 0;
    // Tokens added to each client's bucket per second; 0 turns it off.
    double per_client_rate_per_s = 0;
    // Per-client capacity; 0 = max(1, per_client_rate_per_s). Otherwise >= 1.
    double per_client_burst = 0;
    // Header whose value identifies the client (read by the caller).
    std::string client_key_header = "X-Client-Id";
    // Most clients tracked at once; the least recently seen is evicted beyond.
    std::size_t max_clients = 10000;

    bool operator==(const ThrottleOptions&) const = default;
};

// From JSON with the field names above; absent fields keep their defaults.
// Throws std::invalid_argument naming the field, e.g.
// "global_rate_per_s: must be a finite number >= 0, got -1". Unknown keys are
// errors.
ThrottleOptions parse_throttle_options(const nlohmann::json& doc);
nlohmann::json to_json(const ThrottleOptions& options);

// The Retry-After value for a refusal: whole seconds, rounded up, at least 1
// (RFC 9110 10.2.3 delay-seconds is an integer; rounding down would invite
// the client back before a token exists).
std::string retry_after_seconds(std::chrono::milliseconds wait);

class Throttle {
  public:
    explicit Throttle(ThrottleOptions options);

    // nullopt = admitted (a token was taken from each enabled bucket); else
    // how long until both buckets would have a token (rounded up to 1 ms).
    std::optional<std::chrono::milliseconds> admit(std::string_view client_key, SteadyTime now);

    // False when both buckets are off: callers may skip admit().
    bool enabled() const noexcept { return global_enabled_ || per_client_enabled_; }
    const ThrottleOptions& options() const noexcept { return options_; }
    // Clients currently tracked (<= max_clients).
    std::size_t client_count() const;

  private:
    struct Bucket {
        double tokens = 0;
        std::optional<SteadyTime> last;  // of the last refill; nullopt before the first request
    };
    struct Client {
        Bucket bucket;
        std::list<std::string>::iterator lru;  // position in lru_
    };
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    Client& client(std::string_view key, SteadyTime now);

    ThrottleOptions options_;
    double global_burst_;  // effective capacities (0 defaults resolved)
    double per_client_burst_;
    bool global_enabled_;
    bool per_client_enabled_;

    mutable std::mutex mu_;
    Bucket global_;
    std::unordered_map<std::string, Client, KeyHash, std::equal_to<>> clients_;
    std::list<std::string> lru_;  // front = most recently seen
};

}  // namespace conflictlab::mock
