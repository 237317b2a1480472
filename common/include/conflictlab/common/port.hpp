#pragma once
// TCP port numbers as users write them (a URL's port, `--listen HOST:PORT`):
// decimal digits only, no sign, no spaces, at most 65535. Whether 0 ("any
// free port") is acceptable is the caller's rule: a listener takes it, a
// server address does not.
//
// Thread-safety: a pure function.

#include <optional>
#include <string_view>

namespace conflictlab {

// The port `text` names, or nullopt when it is empty, holds anything but
// decimal digits, or exceeds 65535.
std::optional<int> parse_port(std::string_view text) noexcept;

}  // namespace conflictlab
