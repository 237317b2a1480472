#include "conflictlab/service/event.hpp"

namespace conflictlab::service {

using nlohmann::json;

EventError::EventError(std::string field, const std::string& problem)
    : std::invalid_argument(field + ": " + problem), field_(std::move(field)) {}

namespace {

// Ids travel in headers (X-Op-Id) and URLs: printable ASCII only, so a
// newline cannot become header injection and a log line stays one line.
void check_id(const json& doc, const char* field, std::size_t max_bytes, std::string& out) {
    auto it = doc.find(field);
    if (it == doc.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
        throw EventError(field, "required (a non-empty string)");
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > max_bytes)
        throw EventError(field, "longer than " + std::to_string(max_bytes) + " bytes");
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x21 || u > 0x7e)
            throw EventError(field, "only printable ASCII without spaces is allowed");
    }
    out = s;
}

std::string optional_string(const json& doc, const char* field) {
    auto it = doc.find(field);
    if (it == doc.end() || it->is_null())
        return {};
    if (!it->is_string())
        throw EventError(field, "must be a string");
    return it->get<std::string>();
}

}  // namespace

WebhookEvent event_from_json(const json& doc) {
    if (!doc.is_object())
        throw EventError("body", "must be a JSON object");
    WebhookEvent e;
    check_id(doc, "event_id", kEventIdBytesMax, e.event_id);
    check_id(doc, "resource_id", kResourceIdBytesMax, e.resource_id);

    const std::string method = optional_string(doc, "method");
    if (method == "PUT") {
        e.method = engine::WriteMethod::put;
    } else if (method == "PATCH") {
        e.method = engine::WriteMethod::patch;
    } else if (method.empty()) {
        throw EventError("method", "required (\"PUT\" or \"PATCH\")");
    } else {
        throw EventError("method",
                         "must be \"PUT\" or \"PATCH\", got \"" + method.substr(0, 16) + "\"");
    }

    auto payload = doc.find("payload");
    if (payload == doc.end())
        throw EventError("payload", "required");
    if (e.method == engine::WriteMethod::patch && !payload->is_object())
        throw EventError("payload", "a PATCH payload must be a JSON object (RFC 7396 merge patch)");
    e.payload = *payload;

    const std::string ts = optional_string(doc, "timestamp");
    if (!ts.empty()) {
        e.timestamp = parse_rfc3339(ts);
        if (!e.timestamp)
            throw EventError("timestamp",
                             "not an RFC 3339 date-time (e.g. \"2026-11-27T10:00:00.123Z\")");
    }
    e.type = optional_string(doc, "type");
    e.status = optional_string(doc, "status");
    e.document = doc;
    return e;
}

WebhookEvent parse_event(std::string_view body) {
    // The depth is bounded while parsing: the parser itself is iterative, but
    // copying, dumping and merging a document recurse once per level, so an
    // event nested 100000 deep would overflow the stack later on.
    const json::parser_callback_t bounded = [](int depth, json::parse_event_t event, json&) {
        if ((event == json::parse_event_t::object_start ||
             event == json::parse_event_t::array_start) &&
            depth >= static_cast<int>(kEventDepthMax)) {
            throw EventError(
                "body", "JSON nested more than " + std::to_string(kEventDepthMax) + " levels deep");
        }
        return true;
    };
    json doc;
    try {
        doc = json::parse(body, bounded);
    } catch (const json::parse_error& e) {
        // Say where, without echoing the body (it may hold personal data).
        throw EventError("body", "not valid JSON (byte " + std::to_string(e.byte) + ")");
    } catch (const json::out_of_range&) {
        // A number beyond a double ("1e400") is not a parse_error in nlohmann.
        throw EventError("body", "not valid JSON (a number is out of range)");
    }
    return event_from_json(doc);
}

engine::Update to_update(const WebhookEvent& event, std::string correlation_id,
                         std::string writer_id) {
    engine::Update u;
    u.resource_id = event.resource_id;
    u.method = event.method;
    u.payload = event.payload;
    u.business_timestamp = event.timestamp;
    u.correlation_id = std::move(correlation_id);
    u.event_id = event.event_id;
    u.writer_id = std::move(writer_id);
    u.op_id = event.event_id;
    return u;
}

}  // namespace conflictlab::service
