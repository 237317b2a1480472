#include <gtest/gtest.h>

#include "conflictlab/service/event.hpp"

namespace conflictlab::service {
namespace {

const char* kExample =
    R"({"event_id": "e-1", "resource_id": "r-7", "method": "PATCH", "payload": {"a": 1},
        "timestamp": "2026-11-27T10:00:00.123Z", "type": "updated", "status": "active",
        "extra": {"kept": true}})";

std::string error_of(std::string_view body) {
    try {
        (void)parse_event(body);
    } catch (const EventError& e) {
        return e.what();
    }
    return "no error";
}

TEST(Event, PublicShape_ParsesEveryField) {
    const WebhookEvent e = parse_event(kExample);
    EXPECT_EQ(e.event_id, "e-1");
    EXPECT_EQ(e.resource_id, "r-7");
    EXPECT_EQ(e.method, engine::WriteMethod::patch);
    EXPECT_EQ(e.payload, nlohmann::json({{"a", 1}}));
    ASSERT_TRUE(e.timestamp.has_value());
    EXPECT_EQ(format_rfc3339(*e.timestamp), "2026-11-27T10:00:00.123Z");
    EXPECT_EQ(e.type, "updated");
    EXPECT_EQ(e.status, "active");
}

TEST(Event, UnknownFields_AreKeptInTheDocument) {
    const WebhookEvent e = parse_event(kExample);
    EXPECT_EQ(e.document["extra"]["kept"], true);
}

TEST(Event, ToUpdate_OpIdIsTheEventId) {
    const engine::Update u = to_update(parse_event(kExample), "c-9", "svc");
    EXPECT_EQ(u.op_id, "e-1");
    EXPECT_EQ(u.event_id, "e-1");
    EXPECT_EQ(u.correlation_id, "c-9");
    EXPECT_EQ(u.writer_id, "svc");
    EXPECT_EQ(u.resource_id, "r-7");
    EXPECT_TRUE(u.business_timestamp.has_value());
    EXPECT_FALSE(u.base_token.has_value());
}

TEST(Event, MalformedJson_NamesTheBody) {
    EXPECT_EQ(error_of("{\"event_id\": "), "body: not valid JSON (byte 14)");
}

// The cause fuzz_scenario found, in the event parser: nlohmann reports a
// number beyond a double as out_of_range, not parse_error, so it escaped
// parse_event as an exception the webhook handler does not expect.
TEST(Event, NumberBeyondADouble_NamesTheBody) {
    EXPECT_EQ(
        error_of(R"({"event_id": "e", "resource_id": "r", "method": "PUT", "payload": 1e400})"),
        "body: not valid JSON (a number is out of range)");
}

TEST(Event, NotAnObject_IsRejected) {
    EXPECT_EQ(error_of("[1]"), "body: must be a JSON object");
}

TEST(Event, MissingEventId_IsRejected) {
    EXPECT_EQ(error_of(R"({"resource_id": "r", "method": "PUT", "payload": {}})"),
              "event_id: required (a non-empty string)");
}

TEST(Event, IdWithNewline_IsRejected) {
    EXPECT_EQ(error_of(R"({"event_id": "a\nb", "resource_id": "r", "method": "PUT",
                           "payload": {}})"),
              "event_id: only printable ASCII without spaces is allowed");
}

TEST(Event, TooLongResourceId_IsRejected) {
    const std::string body = R"({"event_id": "e", "resource_id": ")" + std::string(1025, 'x') +
                             R"(", "method": "PUT", "payload": {}})";
    EXPECT_EQ(error_of(body), "resource_id: longer than 1024 bytes");
}

TEST(Event, UnknownMethod_IsRejected) {
    EXPECT_EQ(error_of(R"({"event_id": "e", "resource_id": "r", "method": "POST",
                           "payload": {}})"),
              "method: must be \"PUT\" or \"PATCH\", got \"POST\"");
}

TEST(Event, Rfc7396_PatchPayloadMustBeAnObject) {
    EXPECT_EQ(error_of(R"({"event_id": "e", "resource_id": "r", "method": "PATCH",
                           "payload": [1]})"),
              "payload: a PATCH payload must be a JSON object (RFC 7396 merge patch)");
}

TEST(Event, PutPayload_MayBeAnyJson) {
    EXPECT_EQ(parse_event(R"({"event_id": "e", "resource_id": "r", "method": "PUT",
                              "payload": [1]})")
                  .payload,
              nlohmann::json::array({1}));
}

TEST(Event, Rfc3339_BadTimestampIsRejected) {
    EXPECT_EQ(error_of(R"({"event_id": "e", "resource_id": "r", "method": "PUT",
                           "payload": {}, "timestamp": "yesterday"})"),
              "timestamp: not an RFC 3339 date-time (e.g. \"2026-11-27T10:00:00.123Z\")");
}

// Found by fuzz_webhook_event (UBSan: signed integer overflow): a timestamp
// whose year lies beyond what the clock's nanosecond count holds overflowed
// while being parsed, on input any webhook sender controls.
TEST(Event, TimestampOutsideTheClockRange_IsRejected) {
    EXPECT_EQ(error_of(R"({"event_id": "e", "resource_id": "r", "method": "PUT",
                           "payload": null, "timestamp": "4052-02-29T23:59:59-23:59"})"),
              "timestamp: not an RFC 3339 date-time (e.g. \"2026-11-27T10:00:00.123Z\")");
}

TEST(Event, NonStringType_IsRejected) {
    EXPECT_EQ(error_of(R"({"event_id": "e", "resource_id": "r", "method": "PUT",
                           "payload": {}, "type": 3})"),
              "type: must be a string");
}

// Regression: an event nested 100000 levels deep crashed `conflictlab serve`
// (stack overflow copying the parsed document). The depth is now bounded.
TEST(Event, DeeplyNestedPayload_IsRejectedNotAStackOverflow) {
    const std::string deep(100000, '[');
    const std::string body =
        R"({"event_id": "e", "resource_id": "r", "method": "PUT", "payload": )" + deep +
        std::string(100000, ']') + "}";
    EXPECT_EQ(error_of(body), "body: JSON nested more than 64 levels deep");
}

TEST(Event, NestingAtTheLimit_IsAccepted) {
    // The event object is level 1, so the payload may nest 63 levels.
    const std::string body =
        R"({"event_id": "e", "resource_id": "r", "method": "PUT", "payload": )" +
        std::string(63, '[') + std::string(63, ']') + "}";
    EXPECT_NO_THROW((void)parse_event(body));
    const std::string deeper =
        R"({"event_id": "e", "resource_id": "r", "method": "PUT", "payload": )" +
        std::string(64, '[') + std::string(64, ']') + "}";
    EXPECT_EQ(error_of(deeper), "body: JSON nested more than 64 levels deep");
}

TEST(Event, InvalidUtf8_IsNotValidJson) {
    const std::string body =
        "{\"event_id\": \"e\xff\", \"resource_id\": \"r\", \"method\": \"PUT\", "
        "\"payload\": 1}";
    EXPECT_EQ(error_of(body).rfind("body: not valid JSON", 0), 0u) << error_of(body);
}

}  // namespace
}  // namespace conflictlab::service
