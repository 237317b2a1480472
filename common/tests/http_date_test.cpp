#include "conflictlab/common/http_date.hpp"

#include <gtest/gtest.h>

using namespace conflictlab;
using namespace std::chrono;

namespace {
WallTime example() {
    return WallTime{sys_days{1994y / November / 6} + 8h + 49min + 37s};
}
}  // namespace

// RFC 9110 5.6.7: the three accepted forms of the same instant.
TEST(HttpDate, ParsesAllThreeForms) {
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), example());
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), example());
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), example());
}

TEST(HttpDate, FormatsImfFixdate) {
    EXPECT_EQ(format_http_date(example()), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(HttpDate, RejectsInvalid) {
    EXPECT_FALSE(parse_http_date(""));
    EXPECT_FALSE(parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"));
    EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
    EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"));
}

// RFC 9110 5.6.7: day-name is one of seven names (day-name-l in RFC 850).
// Found while fuzzing rule files: any three characters (any text before the
// comma in the RFC 850 form) were accepted, so a value that parsed as a date
// could carry CR LF into a header sent verbatim (Retry-After).
TEST(HttpDate, DayNameMustBeADayName) {
    EXPECT_FALSE(parse_http_date("\r\nX, 06 Nov 1994 08:49:37 GMT"));
    EXPECT_FALSE(parse_http_date("Xyz, 06 Nov 1994 08:49:37 GMT"));
    EXPECT_FALSE(parse_http_date("x\r\nSet-Cookie: a=b, 06-Nov-94 08:49:37 GMT"));
    EXPECT_FALSE(parse_http_date("Sun, 06-Nov-94 08:49:37 GMT"));
    EXPECT_FALSE(parse_http_date("\r\n Nov  6 08:49:37 1994"));
    EXPECT_TRUE(parse_http_date("Wednesday, 09-Nov-94 08:49:37 GMT"));
    EXPECT_TRUE(parse_http_date("Sat, 01 Jan 2000 00:00:00 GMT"));
}

// Found by fuzz_fault_rules (UBSan: signed integer overflow in chrono): a
// year outside what WallTime's 64-bit nanosecond count holds (about 1677 to
// 2262) overflowed instead of being rejected.
TEST(HttpDate, YearsOutsideTheClockRange_AreRejectedNotOverflowed) {
    EXPECT_FALSE(parse_http_date("Sun, 06 Nov 0997 08:49:37 GMT"));
    EXPECT_FALSE(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"));
    EXPECT_FALSE(parse_http_date("Sun Nov  6 08:49:37 1000"));
    EXPECT_FALSE(parse_rfc3339("0001-01-01T00:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("2262-04-11T23:47:16.854-23:59"));
    EXPECT_TRUE(parse_http_date("Wed, 01 Jan 1800 00:00:00 GMT"));
    EXPECT_TRUE(parse_rfc3339("2200-01-01T00:00:00+23:59"));
}

TEST(Rfc3339, ParsesZuluWithMillis) {
    auto t = parse_rfc3339("2026-11-27T10:00:00.123Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(*t, WallTime{sys_days{2026y / November / 27} + 10h + 123ms});
}

TEST(Rfc3339, AppliesOffset) {
    EXPECT_EQ(parse_rfc3339("2026-11-27T11:00:00+01:00"), parse_rfc3339("2026-11-27T10:00:00Z"));
    EXPECT_EQ(parse_rfc3339("2026-11-27T09:30:00-00:30"), parse_rfc3339("2026-11-27T10:00:00Z"));
}

TEST(Rfc3339, TruncatesBeyondMillis) {
    EXPECT_EQ(parse_rfc3339("2026-11-27T10:00:00.123999Z"),
              parse_rfc3339("2026-11-27T10:00:00.123Z"));
    EXPECT_EQ(parse_rfc3339("2026-11-27T10:00:00.5Z"), parse_rfc3339("2026-11-27T10:00:00.500Z"));
}

TEST(Rfc3339, RoundTrips) {
    auto t = parse_rfc3339("2026-01-02T03:04:05.006Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(format_rfc3339(*t), "2026-01-02T03:04:05.006Z");
}

TEST(Rfc3339, RejectsInvalid) {
    EXPECT_FALSE(parse_rfc3339("2026-11-27"));
    EXPECT_FALSE(parse_rfc3339("2026-11-27T10:00:00"));  // offset is required
    EXPECT_FALSE(parse_rfc3339("2026-13-27T10:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("2026-11-27T10:00:00.Z"));
    EXPECT_FALSE(parse_rfc3339("2026-11-27T10:00:00Zjunk"));
}

// RFC 9110 10.2.3: Retry-After = HTTP-date / delay-seconds
TEST(RetryAfter, DelaySeconds) {
    EXPECT_EQ(parse_retry_after("120", example()), milliseconds{120000});
    EXPECT_EQ(parse_retry_after("0", example()), milliseconds{0});
}

TEST(RetryAfter, HttpDateRelativeToNow) {
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", example()), milliseconds{3000});
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", example()), milliseconds{0});
}

TEST(RetryAfter, HugeDelaySaturatesAndGarbageIsRejected) {
    EXPECT_TRUE(parse_retry_after("99999999999999999999", example()));
    EXPECT_FALSE(parse_retry_after("-5", example()));
    EXPECT_FALSE(parse_retry_after("soon", example()));
}

// The formatters write the digits by hand (snprintf only outside years
// 0..9999, which a nanosecond WallTime cannot reach): zero padding of every
// field at both ends of the representable range.
TEST(HttpDate, FormatsZeroPaddedFieldsAcrossTheRange) {
    EXPECT_EQ(format_http_date(WallTime{sys_days{1700y / January / 1}}),
              "Fri, 01 Jan 1700 00:00:00 GMT");
    EXPECT_EQ(format_http_date(WallTime{sys_days{2261y / December / 31} + 23h + 59min + 59s}),
              "Tue, 31 Dec 2261 23:59:59 GMT");
    EXPECT_EQ(format_http_date(WallTime{sys_days{2026y / March / 9} + 7h + 5min + 3s}),
              "Mon, 09 Mar 2026 07:05:03 GMT");
}

TEST(Rfc3339, FormatsZeroPaddedFieldsAcrossTheRange) {
    EXPECT_EQ(format_rfc3339(WallTime{sys_days{1700y / January / 1}}), "1700-01-01T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339(WallTime{sys_days{2261y / December / 31} + 23h + 59min + 59s + 999ms}),
              "2261-12-31T23:59:59.999Z");
    EXPECT_EQ(format_rfc3339(WallTime{sys_days{1970y / January / 1} + 40ms}),
              "1970-01-01T00:00:00.040Z");
}
