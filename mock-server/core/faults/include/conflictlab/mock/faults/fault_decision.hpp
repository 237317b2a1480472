#pragma once
// FaultDecision: what the fault rules decided for one request, as plain data.
// The fault injector produces it (evaluating rules in order, with the seeded
// generator); the request handler applies it around the normal processing:
//
//   1. `delete_resource`, `foreign_write`, `switch_etag_style` change the store
//      BEFORE the request is processed, so the client meets a real conflict or
//      a real deletion;
//   2. when `status` is set, the handler answers with it (problem+json, or
//      `body` verbatim) instead of processing the request;
//   3. `delay` and `fate` are copied to the Response for the front end.
//
// Several rules may fire for one request; their actions compose (delays add,
// the first status wins together with its Retry-After and body, the first
// non-`respond` fate wins). docs/fault-rules.md describes the composition.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/common/etag.hpp"
#include "conflictlab/mock/exchange.hpp"

namespace conflictlab::mock {

// How the server generates the opaque part of new ETags. Switching scheme at
// runtime is the "ETag format changes" edge case: tokens issued before stay
// valid (they are stored), new ones look different.
enum class EtagScheme { counter, hash, uuid };

struct FaultDecision {
    std::optional<int> status;               // answer with this instead of processing
    std::optional<std::string> retry_after;  // Retry-After value, verbatim
    // Retry-After as an HTTP-date `retry_after_date_in` from now: the handler
    // formats format_http_date(clock.wall_now() + *retry_after_date_in). The
    // injector only knows steady time, so it cannot format the date itself.
    // At most one of `retry_after` and `retry_after_date_in` is set.
    std::optional<std::chrono::seconds> retry_after_date_in;
    std::optional<nlohmann::json> body;  // response body to send with `status`
    std::chrono::milliseconds delay{0};
    bool delete_resource = false;
    std::optional<nlohmann::json> foreign_write_merge_patch;
    std::optional<EtagStyle> switch_etag_style;
    std::optional<EtagScheme> switch_etag_scheme;
    ConnectionFate fate = ConnectionFate::respond;
    std::vector<std::string> fired_rules;  // names, in evaluation order

    bool fired() const noexcept { return !fired_rules.empty(); }
};

}  // namespace conflictlab::mock
