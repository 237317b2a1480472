#pragma once
// CoreOptions: how the mock server behaves (concurrency-control dialect,
// ETags, limits, auth, throttle, initial fault rules), as documented data, with
// its config-file form. docs/mock-server.md describes the JSON field by field;
// the field names there are the member names here.
//
// Thread-safety: a value. Ownership: tokens are held here in memory only;
// to_json() never writes them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/common/etag.hpp"
#include "conflictlab/mock/faults/fault_decision.hpp"
#include "conflictlab/mock/faults/throttle.hpp"

namespace conflictlab::mock {

// Where the concurrency token travels.
enum class Dialect {
    if_match,      // ETag response header, If-Match request header (RFC 9110)
    body_version,  // token inside the JSON body at `version_pointer` (CouchDB
                   // "_rev", Kubernetes "metadata.resourceVersion"); If-Match
                   // is honoured as well
};

struct CoreOptions {
    // Token transport; see Dialect. Config: "dialect": "if-match" |
    // "body-version", or the shorthands "require-precondition" (if-match +
    // require_precondition) and "busy-window" (if-match + busy_window_ms,
    // 100 ms unless given).
    Dialect dialect = Dialect::if_match;
    // RFC 6585 428: writes to an existing resource must be conditional
    // (If-Match, or the body token in body-version). Creations never need one.
    bool require_precondition = false;
    // After an accepted write the resource answers writes with 409 "resource
    // busy" for this long (steady time). 0 = off.
    std::chrono::milliseconds busy_window{0};
    // Status for a failed If-Match: 412 (RFC 9110) or 409 (some APIs).
    int conflict_status = 412;
    // Issue weak ETags (W/"..."); same as etag_style weak. A weak tag never
    // matches If-Match unless lenient_weak_match.
    bool weak_etags = false;
    // Compare If-Match weakly (opaque parts only), as sloppy servers do.
    bool lenient_weak_match = false;
    // How ETags are written on the wire; switchable at runtime.
    EtagStyle etag_style = EtagStyle::strong;
    // How new ETag tokens are generated; switchable at runtime.
    EtagScheme etag_scheme = EtagScheme::counter;
    // JSON pointer of the body token in the body-version dialect.
    std::string version_pointer = "/version";
    // Status for a deleted (tombstoned) resource: 404 or 410.
    int deleted_status = 404;
    // Largest request body accepted; larger -> 413.
    std::size_t body_limit_bytes = 1024 * 1024;
    // Deepest JSON nesting accepted (arrays + objects); deeper -> 400, checked
    // before parsing so no input can exhaust the stack.
    std::size_t max_json_depth = 64;
    // Version-history entries kept per resource; the oldest are dropped and counted.
    std::size_t history_limit = 10000;
    // Items per listing page when the client gives no `limit`.
    std::size_t page_limit_default = 100;
    // Largest `limit` honoured on listings; larger values are clamped.
    std::size_t page_limit_max = 1000;
    // Alerts kept by the /_admin/alerts sink; the oldest are dropped and counted.
    std::size_t alerts_limit = 10000;
    // Lock shards of the store (more shards, less contention between resources).
    std::size_t store_shards = 64;
    // Seeds ETag uuid/hash tokens, generated ids and the fault injector.
    std::uint64_t seed = 1;
    // Bearer token required on /resources when set. Config: a secret spec
    // ("env:NAME" or "file:PATH"), never the token itself.
    std::optional<std::string> resource_token;
    // Bearer token required on /_admin/* when set. Config as resource_token.
    std::optional<std::string> admin_token;
    // 429 rate limiting; off when both rates are 0.
    ThrottleOptions throttle;
    // Initial fault rules, as a rule file (docs/fault-rules.md); null = none.
    nlohmann::json fault_rules;

    // The style new ETags are written in: weak when weak_etags, else etag_style.
    EtagStyle effective_etag_style() const noexcept {
        return weak_etags ? EtagStyle::weak : etag_style;
    }
};

// Reads a config file's JSON object. Absent fields keep their defaults;
// unknown fields are errors. Throws std::invalid_argument naming the field,
// e.g. `dialect: must be one of if-match, body-version, require-precondition,
// busy-window; got "x"`. Token specs are resolved with load_secret; a failure
// names the field and the source, never a value.
CoreOptions parse_core_options(const nlohmann::json& doc);

// The options as config JSON, with tokens redacted ("<redacted>").
nlohmann::json to_json(const CoreOptions& options);

std::string_view dialect_name(Dialect dialect) noexcept;

}  // namespace conflictlab::mock
