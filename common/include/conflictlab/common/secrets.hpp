#pragma once
// Secrets (bearer tokens, webhook keys) come from a file or an environment
// variable, never from a command-line value that would show up in `ps`.
// Nothing here logs a secret; error messages name the source, not the value.

#include <string>
#include <string_view>

namespace conflictlab {

// Constant-time equality: the time taken depends only on the lengths, so a
// caller guessing a token learns nothing from response timings.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// Reads a secret from `spec`, which is either "env:NAME" or "file:PATH" (a
// bare path is read as a file). Trailing newlines are removed.
// Throws std::runtime_error naming the source (never the value) on failure.
std::string load_secret(std::string_view spec);

}  // namespace conflictlab
