#include "conflictlab/common/http_date.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace conflictlab {

namespace {

using namespace std::chrono;

constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Civil date -> days since 1970-01-01 without touching the C locale or TZ.
std::optional<sys_days> to_days(int y, int mon, int d) {
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mon)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok())
        return std::nullopt;
    return sys_days{ymd};
}

// WallTime counts nanoseconds in 64 bits (libstdc++): about 1677-09-22 to
// 2262-04-11. Dates outside, less a day each side so that an RFC 3339 offset
// or fraction applied afterwards cannot overflow either, are rejected instead
// of overflowing (found by fuzz_fault_rules: "Sun, 06 Nov 0997 ...").
std::optional<WallTime> make_time(int y, int mon, int d, int hh, int mm, int ss) {
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return std::nullopt;
    auto days = to_days(y, mon, d);
    if (!days)
        return std::nullopt;
    const sys_seconds at = *days + hours{hh} + minutes{mm} + seconds{ss};
    constexpr std::chrono::days kMargin{1};
    if (at < ceil<seconds>(WallTime::min()) + kMargin ||
        at > floor<seconds>(WallTime::max()) - kMargin)
        return std::nullopt;
    return WallTime{at};
}

// RFC 9110 5.6.7 day-name ("Sun") and, in the obsolete RFC 850 form,
// day-name-l ("Sunday"). Checked so that a value accepted as a date holds
// nothing else: callers send accepted dates verbatim (Retry-After).
bool is_day_name(std::string_view name) {
    for (const char* day : kDays) {
        if (name == day)
            return true;
    }
    return false;
}

bool is_long_day_name(std::string_view name) {
    static constexpr std::array<std::string_view, 7> kLongDays{
        "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    for (std::string_view day : kLongDays) {
        if (name == day)
            return true;
    }
    return false;
}

int month_index(std::string_view m) {
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        if (m == kMonths[i])
            return static_cast<int>(i) + 1;
    }
    return 0;
}

// A tiny cursor over the input: every reader fails softly so the callers
// stay a flat sequence of checks.
struct Cursor {
    std::string_view s;
    bool ok = true;

    int number(std::size_t min_digits, std::size_t max_digits) {
        std::size_t n = 0;
        while (n < s.size() && n < max_digits && s[n] >= '0' && s[n] <= '9')
            ++n;
        if (n < min_digits) {
            ok = false;
            return 0;
        }
        int v = 0;
        std::from_chars(s.data(), s.data() + n, v);
        s.remove_prefix(n);
        return v;
    }
    void expect(char c) {
        if (s.empty() || s.front() != c) {
            ok = false;
            return;
        }
        s.remove_prefix(1);
    }
    std::string_view word(std::size_t n) {
        if (s.size() < n) {
            ok = false;
            return {};
        }
        auto w = s.substr(0, n);
        s.remove_prefix(n);
        return w;
    }
    void skip_spaces() {
        while (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
    }
    bool done() const { return ok && s.empty(); }
};

// "HH:MM:SS", common to the three forms.
struct TimeOfDay {
    int hh = 0, mm = 0, ss = 0;
};

TimeOfDay read_time_of_day(Cursor& c) {
    TimeOfDay t;
    t.hh = c.number(2, 2);
    c.expect(':');
    t.mm = c.number(2, 2);
    c.expect(':');
    t.ss = c.number(2, 2);
    return t;
}

// " GMT" and nothing after it (IMF-fixdate and RFC 850).
bool read_gmt_end(Cursor& c) {
    c.expect(' ');
    const bool gmt = c.word(3) == "GMT";
    return gmt && c.done();
}

std::optional<WallTime> parse_imf_fixdate(std::string_view text) {
    // Sun, 06 Nov 1994 08:49:37 GMT
    Cursor c{text};
    if (!is_day_name(c.word(3)))
        return std::nullopt;
    c.expect(',');
    c.expect(' ');
    int d = c.number(2, 2);
    c.expect(' ');
    int mon = month_index(c.word(3));
    c.expect(' ');
    int y = c.number(4, 4);
    c.expect(' ');
    const TimeOfDay t = read_time_of_day(c);
    if (!read_gmt_end(c) || mon == 0)
        return std::nullopt;
    return make_time(y, mon, d, t.hh, t.mm, t.ss);
}

std::optional<WallTime> parse_rfc850(std::string_view text) {
    // Sunday, 06-Nov-94 08:49:37 GMT
    auto comma = text.find(',');
    if (comma == std::string_view::npos || !is_long_day_name(text.substr(0, comma)))
        return std::nullopt;
    Cursor c{text.substr(comma)};
    c.expect(',');
    c.expect(' ');
    int d = c.number(2, 2);
    c.expect('-');
    int mon = month_index(c.word(3));
    c.expect('-');
    int yy = c.number(2, 2);
    c.expect(' ');
    const TimeOfDay t = read_time_of_day(c);
    if (!read_gmt_end(c) || mon == 0)
        return std::nullopt;
    // RFC 9110: a two-digit year more than 50 years in the future is the past century.
    int y = yy < 70 ? 2000 + yy : 1900 + yy;
    return make_time(y, mon, d, t.hh, t.mm, t.ss);
}

std::optional<WallTime> parse_asctime(std::string_view text) {
    // Sun Nov  6 08:49:37 1994
    Cursor c{text};
    if (!is_day_name(c.word(3)))
        return std::nullopt;
    c.expect(' ');
    int mon = month_index(c.word(3));
    c.skip_spaces();
    int d = c.number(1, 2);
    c.expect(' ');
    const TimeOfDay t = read_time_of_day(c);
    c.expect(' ');
    int y = c.number(4, 4);
    if (!c.done() || mon == 0)
        return std::nullopt;
    return make_time(y, mon, d, t.hh, t.mm, t.ss);
}

}  // namespace

namespace {

// Fixed-width decimal fields, written by hand: the mock server stamps every
// response with Last-Modified, and snprintf costs about ten times as much.
char* put_digits(char* p, unsigned v, int width) {
    for (int i = width - 1; i >= 0; --i) {
        p[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

char* put_text(char* p, std::string_view s) {
    for (const char c : s)
        *p++ = c;
    return p;
}

}  // namespace

std::string format_http_date(WallTime t) {
    auto secs = floor<seconds>(t);
    auto days = floor<std::chrono::days>(secs);
    year_month_day ymd{days};
    hh_mm_ss hms{secs - days};
    weekday wd{days};
    char buf[40];
    const int year = static_cast<int>(ymd.year());
    if (year >= 0 && year <= 9999) {
        // "Sun, 06 Nov 1994 08:49:37 GMT"
        char* p = put_text(buf, kDays[wd.c_encoding()]);
        p = put_text(p, ", ");
        p = put_digits(p, static_cast<unsigned>(ymd.day()), 2);
        *p++ = ' ';
        p = put_text(p, kMonths[static_cast<unsigned>(ymd.month()) - 1]);
        *p++ = ' ';
        p = put_digits(p, static_cast<unsigned>(year), 4);
        *p++ = ' ';
        p = put_digits(p, static_cast<unsigned>(hms.hours().count()), 2);
        *p++ = ':';
        p = put_digits(p, static_cast<unsigned>(hms.minutes().count()), 2);
        *p++ = ':';
        p = put_digits(p, static_cast<unsigned>(hms.seconds().count()), 2);
        p = put_text(p, " GMT");
        return std::string(buf, p);
    }
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", kDays[wd.c_encoding()],
                  static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                  year, static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    return buf;
}

std::optional<WallTime> parse_http_date(std::string_view text) {
    if (auto t = parse_imf_fixdate(text))
        return t;
    if (auto t = parse_rfc850(text))
        return t;
    return parse_asctime(text);
}

std::optional<WallTime> parse_rfc3339(std::string_view text) {
    // 2026-11-27T10:00:00.123Z | 2026-11-27t10:00:00+01:00 | space separator
    Cursor c{text};
    int y = c.number(4, 4);
    c.expect('-');
    int mon = c.number(2, 2);
    c.expect('-');
    int d = c.number(2, 2);
    if (!c.ok || c.s.empty() || (c.s.front() != 'T' && c.s.front() != 't' && c.s.front() != ' ')) {
        return std::nullopt;
    }
    c.s.remove_prefix(1);
    int hh = c.number(2, 2);
    c.expect(':');
    int mm = c.number(2, 2);
    c.expect(':');
    int ss = c.number(2, 2);
    if (!c.ok)
        return std::nullopt;
    milliseconds frac{0};
    if (!c.s.empty() && c.s.front() == '.') {
        c.s.remove_prefix(1);
        std::size_t n = 0;
        int ms = 0;
        while (n < c.s.size() && c.s[n] >= '0' && c.s[n] <= '9') {
            if (n < 3)
                ms = ms * 10 + (c.s[n] - '0');
            ++n;
        }
        if (n == 0)
            return std::nullopt;
        for (std::size_t k = n; k < 3; ++k)
            ms *= 10;
        frac = milliseconds{ms};
        c.s.remove_prefix(n);
    }
    minutes offset{0};
    if (c.s == "Z" || c.s == "z") {
        c.s.remove_prefix(1);
    } else if (!c.s.empty() && (c.s.front() == '+' || c.s.front() == '-')) {
        int sign = c.s.front() == '+' ? 1 : -1;
        c.s.remove_prefix(1);
        int oh = c.number(2, 2);
        c.expect(':');
        int om = c.number(2, 2);
        if (oh > 23 || om > 59)
            return std::nullopt;
        offset = minutes{sign * (oh * 60 + om)};
    } else {
        return std::nullopt;
    }
    if (!c.done())
        return std::nullopt;
    auto t = make_time(y, mon, d, hh, mm, ss);
    if (!t)
        return std::nullopt;
    return *t + frac - offset;
}

std::string format_rfc3339(WallTime t) {
    auto ms = floor<milliseconds>(t);
    auto days = floor<std::chrono::days>(ms);
    year_month_day ymd{days};
    hh_mm_ss hms{ms - days};
    char buf[40];
    const int year = static_cast<int>(ymd.year());
    if (year >= 0 && year <= 9999) {
        // "2026-01-02T03:04:05.006Z"
        char* p = put_digits(buf, static_cast<unsigned>(year), 4);
        *p++ = '-';
        p = put_digits(p, static_cast<unsigned>(ymd.month()), 2);
        *p++ = '-';
        p = put_digits(p, static_cast<unsigned>(ymd.day()), 2);
        *p++ = 'T';
        p = put_digits(p, static_cast<unsigned>(hms.hours().count()), 2);
        *p++ = ':';
        p = put_digits(p, static_cast<unsigned>(hms.minutes().count()), 2);
        *p++ = ':';
        p = put_digits(p, static_cast<unsigned>(hms.seconds().count()), 2);
        *p++ = '.';
        p = put_digits(p, static_cast<unsigned>(hms.subseconds().count()), 3);
        *p++ = 'Z';
        return std::string(buf, p);
    }
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
    return buf;
}

std::optional<milliseconds> parse_retry_after(std::string_view value, WallTime now) {
    while (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ')
        value.remove_suffix(1);
    if (!value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos) {
        if (value.size() > 9)
            return milliseconds{seconds{999'999'999}};  // absurd but valid: saturate
        long long secs = 0;
        std::from_chars(value.data(), value.data() + value.size(), secs);
        return duration_cast<milliseconds>(seconds{secs});
    }
    auto date = parse_http_date(value);
    if (!date)
        return std::nullopt;
    if (*date <= now)
        return milliseconds{0};
    return duration_cast<milliseconds>(*date - now);
}

}  // namespace conflictlab
