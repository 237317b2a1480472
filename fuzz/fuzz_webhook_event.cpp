// Fuzz target: the service's webhook event parser (service/event.hpp).
// Properties: the only exception that escapes parse_event is EventError (the
// documented error, naming a field); an accepted event read back from its
// stored copy (document.dump(), as the intake store keeps it) is the same
// event; to_update carries the event's identity and payload unchanged.

#include <cstddef>
#include <cstdint>
#include <string>

#include "conflictlab/service/event.hpp"
#include "fuzz_check.hpp"

namespace service = conflictlab::service;

namespace {

bool same_event(const service::WebhookEvent& a, const service::WebhookEvent& b) {
    return a.event_id == b.event_id && a.resource_id == b.resource_id && a.method == b.method &&
           a.payload == b.payload && a.timestamp == b.timestamp && a.type == b.type &&
           a.status == b.status && a.document == b.document;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto body = conflictlab::fuzz::as_text(data, size);
    service::WebhookEvent event;
    try {
        event = service::parse_event(body);
    } catch (const service::EventError& e) {
        FUZZ_CHECK(!e.field().empty());
        FUZZ_CHECK(std::string(e.what()).starts_with(e.field() + ": "));
        return 0;
    }
    FUZZ_CHECK(!event.event_id.empty() && !event.resource_id.empty());
    FUZZ_CHECK(event.event_id.size() <= service::kEventIdBytesMax);
    FUZZ_CHECK(event.resource_id.size() <= service::kResourceIdBytesMax);

    const std::string stored = event.document.dump();
    FUZZ_CHECK(same_event(service::parse_event(stored), event));
    FUZZ_CHECK(same_event(service::event_from_json(event.document), event));

    const auto update = service::to_update(event, "corr", "writer");
    FUZZ_CHECK(update.op_id == event.event_id);
    FUZZ_CHECK(update.resource_id == event.resource_id);
    FUZZ_CHECK(update.payload == event.payload);
    FUZZ_CHECK(update.method == event.method);
    return 0;
}
