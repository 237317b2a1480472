#pragma once
// The resource endpoints: /resources/{id} (GET, HEAD, PUT, PATCH, DELETE) and
// /resources (POST, GET/HEAD listing), under the configured dialect. Fault
// rules and throttling happen before these are called (fault_application.hpp).
//
// Order of checks for a write to an existing resource (docs/mock-server.md):
// body/media type (400/415) -> malformed If-Match/If-None-Match (400) ->
// require_precondition (428) -> busy window (409 busy) -> If-None-Match (412)
// -> If-Match (conflict_status) -> body-version token (409) -> apply.
// The checks from 428 on and the install run under the resource's shard lock.

#include "core_context.hpp"

namespace conflictlab::mock {

// REQUIRES: call.id is a valid resource id; the method is one of GET, HEAD,
// PUT, PATCH, DELETE.
Handled handle_item(CoreContext& ctx, const ResourceCall& call);

// REQUIRES: call.id is empty; the method is one of GET, HEAD, POST.
Handled handle_collection(CoreContext& ctx, const ResourceCall& call);

// The headers every successful read or write carries: ETag, Last-Modified,
// Content-Type; body = the stored body.
Response representation_response(const CoreContext& ctx, int status,
                                 const ResourceVersion& version);

// The problem for a missing (null) or deleted resource.
Response missing_response(const CoreContext& ctx, const ResourceCall& call,
                          const ResourceVersion* current);

}  // namespace conflictlab::mock
