#pragma once
// Path globs for fault rules (match.path). Only two wildcards, chosen so a
// pattern reads like the URL it targets:
//
//   ?    exactly one character other than '/'
//   *    any run of characters other than '/' (stays inside one segment)
//   **   any run of characters, '/' included (crosses segments)
//
// Every other character is literal, including '[', ']' and '\'. Matching is
// case-sensitive, byte-wise, on the path as received (no percent-decoding).
// The query string is not part of the path: matching stops at the first '?'
// of the text.
//
// glob_match never allocates and runs in O(|pattern| * |text|) time: a failed
// `*` or `**` tells the enclosing wildcards not to retry positions that cannot
// succeed either (the rsync "wildmatch" abort rule).
//
// Thread-safety: a pure function.

#include <string_view>

namespace conflictlab::mock {

// True when `text` (up to its first '?') is matched by `pattern` in full.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

}  // namespace conflictlab::mock
