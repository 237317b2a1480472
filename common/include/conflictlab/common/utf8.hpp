#pragma once
// UTF-8 decoding of one character, for code that writes text into formats
// that must stay valid (XML for JUnit, HTML for reports) and replaces what is
// not valid UTF-8 instead of passing it through.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace conflictlab {

// One decoded character: its length in bytes (1..4) and code point; length 0
// when the bytes at the position are not valid UTF-8 (a stray continuation
// byte, a truncated sequence, an overlong form, a surrogate, or a code point
// beyond U+10FFFF).
struct Utf8Char {
    std::size_t length = 0;
    std::uint32_t code_point = 0;
};

// REQUIRES: i < text.size().
Utf8Char decode_utf8(std::string_view text, std::size_t i) noexcept;

}  // namespace conflictlab
