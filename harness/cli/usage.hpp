#pragma once
// What the subcommands share about bad usage: the error type a command
// reports as "conflictlab CMD: <message>" with exit 2, and reading a JSON
// file named by a flag (comments allowed, as in scenario and rule files) with
// errors that name the flag and the file; writing an output file named by a
// flag.

#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace conflictlab::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws UsageError ("--policy p.json: cannot read the file", "... : not
// valid JSON: <parser message>", "...: nested more than 64 levels deep").
nlohmann::json read_json_file(const std::string& path, std::string_view flag);

// Writes `text` to `path` (replacing it). Throws std::runtime_error naming the
// flag and the path when the file cannot be written.
void write_text_file(const std::string& path, const std::string& text, std::string_view flag);

}  // namespace conflictlab::cli
