#include "text.hpp"

#include "conflictlab/common/utf8.hpp"

#include <cmath>
#include <cstdio>

namespace conflictlab::reports::detail {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Calls emit(ascii_char) for ASCII and emit_seq(bytes) for valid multi-byte
// sequences; invalid bytes become U+FFFD.
template <typename Ascii>
std::string map_utf8(std::string_view text, Ascii ascii) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = decode_utf8(text, i).length;
        if (n == 0) {
            out += kReplacement;
            ++i;
        } else if (n == 1) {
            ascii(out, text[i]);
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

}  // namespace

std::string escape_html(std::string_view text) {
    return map_utf8(text, [](std::string& out, char c) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t')
                    out += c;
        }
    });
}

std::string escape_markdown(std::string_view text) {
    return map_utf8(text, [](std::string& out, char c) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '\n':
            case '\r':
            case '\t':
                out += ' ';
                break;
            case '|':
            case '\\':
            case '`':
            case '*':
            case '_':
            case '[':
            case ']':
            case '#':
                out += '\\';
                out += c;
                break;
            default:
                if (static_cast<unsigned char>(c) >= 0x20)
                    out += c;
        }
    });
}

std::string format_fixed(double value, int decimals) {
    if (!std::isfinite(value))
        return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    std::string s(buf);
    if (s == "-0" || s.rfind("-0.", 0) == 0) {
        // -0.000 reads as a bug; show 0.
        bool all_zero = true;
        for (char c : s)
            all_zero = all_zero && (c == '-' || c == '0' || c == '.');
        if (all_zero)
            s.erase(0, 1);
    }
    return s;
}

std::string format_count(double value) {
    if (!std::isfinite(value))
        return "n/a";
    if (std::floor(value) != value || std::fabs(value) >= 1e15)
        return format_fixed(value, 1);
    std::string digits = format_fixed(std::fabs(value), 0);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ' ';
        out += digits[i];
    }
    return value < 0 ? "-" + out : out;
}

std::string format_short(double value) {
    const double a = std::fabs(value);
    const auto trim = [](std::string s) {
        if (s.find('.') != std::string::npos) {
            while (s.back() == '0')
                s.pop_back();
            if (s.back() == '.')
                s.pop_back();
        }
        return s;
    };
    if (a >= 1e6)
        return trim(format_fixed(value / 1e6, 1)) + "M";
    if (a >= 1e4)
        return trim(format_fixed(value / 1e3, 0)) + "k";
    if (a >= 1e3)
        return trim(format_fixed(value / 1e3, 1)) + "k";
    if (a >= 10 || a == 0)
        return trim(format_fixed(value, 0));
    if (a >= 1)
        return trim(format_fixed(value, 1));
    return trim(format_fixed(value, 3));
}

std::string format_share(double value, double total) {
    if (total <= 0)
        return "0 %";
    return format_fixed(100.0 * value / total, 1) + " %";
}

std::string format_ms(double ms) {
    if (ms < 10)
        return format_fixed(ms, 3);
    if (ms < 1000)
        return format_fixed(ms, 1);
    return format_fixed(ms, 0);
}

std::string truncate(std::string_view text, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            if (chars == max_chars)
                return std::string(text.substr(0, i)) + "\xE2\x80\xA6";
            ++chars;
        }
    }
    return std::string(text);
}

}  // namespace conflictlab::reports::detail
