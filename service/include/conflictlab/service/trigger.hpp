#pragma once
// Trigger conditions: which valid events the service acts on. An event that
// does not trigger is answered 204 No Content and neither stored nor applied
// (docs/service.md "Trigger conditions").
//
// Rules, in order: a `status` listed in ignore_statuses -> ignored; a `type`
// listed in ignore_types -> ignored; when process_types is non-empty, a
// `type` not listed there -> ignored; else processed. Comparisons are exact
// (case-sensitive).
//
// Thread-safety: values and pure functions.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/service/event.hpp"

namespace conflictlab::service {

struct TriggerOptions {
    // Events whose `status` is one of these are ignored.
    std::vector<std::string> ignore_statuses = {"ignored"};
    // Events whose `type` is one of these are ignored (reads and keep-alives
    // change nothing).
    std::vector<std::string> ignore_types = {"read", "heartbeat"};
    // Non-empty: only these types are processed (an allow-list); an event
    // without a type then counts as type "".
    std::vector<std::string> process_types;
};

struct TriggerDecision {
    bool process = true;
    // Why an event is ignored ("status \"ignored\" is ignored"); empty when processed.
    std::string reason;
};

TriggerDecision evaluate_trigger(const TriggerOptions& options, const WebhookEvent& event);

// Reads {"ignore_statuses": [...], "ignore_types": [...], "process_types": [...]};
// absent fields keep their defaults, unknown fields are errors. Throws
// std::invalid_argument ("trigger.<field>: <problem>").
TriggerOptions trigger_options_from_json(const nlohmann::json& j);
nlohmann::json to_json(const TriggerOptions& options);

}  // namespace conflictlab::service
