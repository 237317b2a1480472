#pragma once
// Update: one write a caller wants applied to one REST resource, the input of a
// Resolution. Plain data; the engine copies it.
//
// The payload is a full document for PUT and an RFC 7396 merge patch for
// PATCH. base_token and base_body describe the version the caller started
// from: the token is sent as the precondition of the first write, the body is
// the common ancestor of the three-way merge (Policy::strategy = merge).
//
// Thread-safety: a value.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/common/http_date.hpp"

namespace conflictlab::engine {

enum class WriteMethod { put, patch };

// "PUT" / "PATCH".
std::string_view write_method_name(WriteMethod method) noexcept;

struct Update {
    // Resource id, substituted into TargetProfile::resource_path ("{id}");
    // percent-encoded when the request path is built. Must not be empty.
    std::string resource_id;
    // PUT sends a full document, PATCH an RFC 7396 merge patch.
    WriteMethod method = WriteMethod::put;
    // PUT: the desired document. PATCH: the merge patch (must be an object).
    nlohmann::json payload = nlohmann::json::object();
    // Token of the version the caller based the update on (the raw ETag field
    // value, e.g. "\"v7\"", or a body token such as a _rev). Absent: the first
    // write carries no precondition (the server may answer 428).
    std::optional<std::string> base_token;
    // The caller read the resource as absent (404/410) and means to create
    // it: the first write carries `If-None-Match: *` instead of no
    // precondition, so it cannot overwrite a version someone else created
    // meanwhile (that write meets 412: refetch and merge, as any conflict).
    // Not together with base_token (a token names an existing version).
    bool create_only = false;
    // The document the caller based the update on: the ancestor for the
    // three-way merge. Absent: see docs/engine.md "Merge without a base".
    std::optional<nlohmann::json> base_body;
    // When the update happened in the business sense (e.g. the source event
    // time). Absent: read from the payload at Policy::timestamp_pointer, if any.
    std::optional<WallTime> business_timestamp;
    // Identifiers carried through to the outcome and the request headers
    // (X-Correlation-Id, X-Writer-Id, X-Op-Id; empty ones are not sent).
    std::string correlation_id;
    std::string event_id;
    std::string writer_id;
    std::string op_id;
};

// Throws std::invalid_argument naming the field when the update cannot be
// processed (empty resource_id, PATCH payload not an object).
void validate(const Update& update);

}  // namespace conflictlab::engine
