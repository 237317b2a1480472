#pragma once
// JSON text in and out, byte for byte as nlohmann::json does it, faster for
// the documents this project exchanges all the time.
//
// parse_json: nlohmann::json::parse with a fast path for the documents this
// project exchanges all the time (small objects of ASCII strings, integers,
// booleans and nulls). nlohmann's lexer costs about 100 instructions per byte;
// the fast path builds the same DOM directly. Anything it does not handle
// exactly like nlohmann (escapes, non-ASCII bytes, fractions and exponents,
// integers near the 64-bit limits, deep nesting, and every syntax error)
// makes it hand the whole text to nlohmann::json::parse, so the result, the
// exception and its message are always nlohmann's own.
//
// Same semantics as nlohmann: non-negative integers are number_unsigned,
// negative ones number_integer; a duplicate key keeps the last value;
// whitespace is space, tab, CR, LF; nothing but whitespace may follow.
//
// dump_json: nlohmann::json::dump() (compact, UTF-8 kept, invalid UTF-8 an
// error), written directly when the document holds only objects, arrays,
// printable-ASCII strings, integers, booleans and nulls; anything else
// (floats, other characters, binary, discarded) goes to dump() itself.
// append_json_fast is that fast writer alone, for callers with their own
// fallback (e.g. another error handler).
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace conflictlab {

// As nlohmann::json::parse(text, nullptr, allow_exceptions): throws
// nlohmann::json::parse_error on invalid input, or returns a discarded value
// (is_discarded()) when allow_exceptions is false.
nlohmann::json parse_json(std::string_view text, bool allow_exceptions = true);

// The fast path of parse_json alone, for callers with their own fallback
// (e.g. a parse with a depth guard): true and `out` set when the text is in
// the fast parser's subset and valid; false and `out` unchanged otherwise
// (including every syntax error).
bool parse_json_fast(std::string_view text, nlohmann::json& out);

// As j.dump().
std::string dump_json(const nlohmann::json& j);

// Empties `j` (it becomes null) children first. nlohmann's destructor
// avoids recursion by moving every container's children into a freshly
// allocated vector before freeing them, one allocation and one move per
// element; on the documents here (a few levels deep) freeing the leaves
// first is about twice as fast. Recursion is bounded: levels below 64 are
// left to nlohmann.
void release_json(nlohmann::json& j) noexcept;

// Appends j.dump() to `out` and returns true when j is within the fast
// writer's subset; otherwise leaves `out` as it was and returns false.
bool append_json_fast(std::string& out, const nlohmann::json& j);

}  // namespace conflictlab
