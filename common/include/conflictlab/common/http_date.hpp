#pragma once
// HTTP-date (RFC 9110 5.6.7): IMF-fixdate for output; IMF-fixdate, the
// obsolete RFC 850 form and asctime accepted on input, as recipients must.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace conflictlab {

using WallTime = std::chrono::system_clock::time_point;

// "Sun, 06 Nov 1994 08:49:37 GMT" (seconds precision, UTC).
std::string format_http_date(WallTime t);
std::optional<WallTime> parse_http_date(std::string_view text);

// RFC 3339 date-time with optional fraction and offset, e.g.
// "2026-11-27T10:00:00.123Z" or "2026-11-27T11:00:00+01:00". Millisecond
// precision is kept; finer fractions are truncated.
std::optional<WallTime> parse_rfc3339(std::string_view text);
// "2026-11-27T10:00:00.123Z" (always UTC, milliseconds).
std::string format_rfc3339(WallTime t);

// Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date. Returns the
// delay relative to `now` (zero when the date is in the past); nullopt when the
// value is neither form.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, WallTime now);

}  // namespace conflictlab
