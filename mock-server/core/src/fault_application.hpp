#pragma once
// Applying a FaultDecision (fault_decision.hpp) to one /resources request.
// This is the seam between the fault injector and the resource logic: the
// server calls it with the injector's decision, and tests call it with
// hand-made decisions to check each field's effect.
//
//   1. store effects: delete_resource tombstones the resource, a foreign
//      write merge-patches it as writer "foreign" (a new token, recorded in
//      the history), style/scheme switches change the ETag generator;
//   2. `status` answers instead of the normal processing (the body verbatim,
//      else a problem+json), with Retry-After when given;
//   3. `delay` and `fate` are copied to the response, whatever answered.

#include <string_view>

#include "conflictlab/mock/faults/fault_decision.hpp"
#include "core_context.hpp"

namespace conflictlab::mock {

// Step 1 only. `id` may be empty (the collection): then only the switches apply.
void apply_fault_effects(CoreContext& ctx, const FaultDecision& decision, std::string_view id);

// Steps 1-3 around the normal handling of `call`.
// REQUIRES: the method is allowed on the path (handle_item/handle_collection).
Handled handle_with_faults(CoreContext& ctx, const ResourceCall& call,
                           const FaultDecision& decision);

}  // namespace conflictlab::mock
