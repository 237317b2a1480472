#include "conflictlab/common/port.hpp"

namespace conflictlab {

std::optional<int> parse_port(std::string_view text) noexcept {
    // Five digits reach 99999; more would be out of range anyway (leading
    // zeros included: nobody writes a port that way on purpose).
    if (text.empty() || text.size() > 5)
        return std::nullopt;
    int port = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        port = port * 10 + (c - '0');
    }
    if (port > 65535)
        return std::nullopt;
    return port;
}

}  // namespace conflictlab
