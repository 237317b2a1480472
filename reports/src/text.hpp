#pragma once
// Text helpers shared by the HTML and Markdown renderers: escaping of
// untrusted strings (everything read from a results file is untrusted) and
// locale-independent number formatting, so reports are byte-identical
// wherever they are rendered (golden files depend on it).
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

namespace conflictlab::reports::detail {

// Escapes & < > " ' for HTML text and attribute values (also valid inside
// inline SVG). Invalid UTF-8 bytes become U+FFFD; control characters other
// than tab/newline are dropped.
std::string escape_html(std::string_view text);

// Escapes text for a Markdown table cell or paragraph: | \ ` * _ [ ] < > &
// and line breaks (a cell is one line). No raw HTML can survive.
std::string escape_markdown(std::string_view text);

// `decimals` fixed digits, trailing ".0..." kept; thousands separated by
// thin spaces only in format_count.
std::string format_fixed(double value, int decimals);
// Integers as "1 234 567" (regular spaces), non-integers with 1 decimal.
std::string format_count(double value);
// Chart axis labels: 0.5, 2, 1.5k, 20k, 1.2M.
std::string format_short(double value);
// value/total as "12.3 %", "0 %" when total is 0.
std::string format_share(double value, double total);
// Milliseconds with 3 significant decimals below 10, fewer above.
std::string format_ms(double ms);

// Cuts to at most `max_chars` characters (UTF-8 aware), adding "…".
std::string truncate(std::string_view text, std::size_t max_chars);

}  // namespace conflictlab::reports::detail
