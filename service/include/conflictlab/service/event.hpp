#pragma once
// WebhookEvent: one change notification posted to `POST /webhook`, the input
// of the service. The JSON shape is a public contract (docs/service.md
// "Event format"); fields are added over time, never renamed:
//
//   {"event_id": "e-1", "resource_id": "r-7", "method": "PATCH",
//    "payload": {...}, "timestamp": "2026-11-27T10:00:00.123Z",
//    "type": "updated", "status": "active"}
//
// parse_event() validates and throws EventError naming the field; unknown
// fields are kept (in `document`) and ignored, so upstream systems may send
// more than we read. to_update() turns an event into the engine's Update.
//
// Thread-safety: values and pure functions.

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/common/http_date.hpp"
#include "conflictlab/engine/update.hpp"

namespace conflictlab::service {

// Bad event input. what() is "<field>: <problem>", e.g.
// "event_id: required (a non-empty string)".
class EventError : public std::invalid_argument {
  public:
    EventError(std::string field, const std::string& problem);
    const std::string& field() const noexcept { return field_; }

  private:
    std::string field_;
};

// Identifier limits: long enough for any sane id, short enough to bound memory.
inline constexpr std::size_t kEventIdBytesMax = 256;
inline constexpr std::size_t kResourceIdBytesMax = 1024;
// Deepest nesting of arrays/objects in an event (the event object is level 1):
// deeper documents are refused before anything recurses over them.
inline constexpr std::size_t kEventDepthMax = 64;

struct WebhookEvent {
    // Unique per change at the source; a repeated id is the same event.
    std::string event_id;
    // The target resource (substituted into the policy's resource_path).
    std::string resource_id;
    // PUT (payload = full document) or PATCH (payload = RFC 7396 merge patch).
    engine::WriteMethod method = engine::WriteMethod::patch;
    nlohmann::json payload = nlohmann::json::object();
    // The business time of the change, if given (freshness decisions).
    std::optional<WallTime> timestamp;
    // Free-form classification used by trigger conditions ("updated", "read").
    std::string type;
    std::string status;
    // The whole event object as received (unknown fields included).
    nlohmann::json document = nlohmann::json::object();
};

// Parses and validates an event body. Throws EventError ("body: not valid
// JSON ..." for syntax errors and invalid UTF-8, "body: JSON nested more than
// 64 levels deep", else the field).
WebhookEvent parse_event(std::string_view body);
// The same from an already parsed document (the stored copy).
WebhookEvent event_from_json(const nlohmann::json& document);

// The Update the engine applies for `event`: op_id = event_id (the target's
// history then names the event), the given correlation and writer ids.
engine::Update to_update(const WebhookEvent& event, std::string correlation_id,
                         std::string writer_id);

}  // namespace conflictlab::service
