#pragma once
// Shared helpers for the libFuzzer targets in this folder: a property check
// that aborts with a message (so libFuzzer records the input as a crash), and
// exception-free JSON parsing of the fuzz input.
//
// Thread-safety: libFuzzer calls each target from one thread.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace conflictlab::fuzz {

// A property the target asserts was violated: print it, then abort.
[[noreturn]] inline void property_failed(const char* what, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, what);
    std::abort();
}

#define FUZZ_CHECK(cond)                                                     \
    do {                                                                     \
        if (!(cond))                                                         \
            ::conflictlab::fuzz::property_failed(#cond, __FILE__, __LINE__); \
    } while (false)

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The input as a JSON document, or nullopt when it is not one. Comments are
// allowed, as in every file Conflict Lab reads.
inline std::optional<nlohmann::json> parse_json(std::string_view text) {
    auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false,
                                     /*ignore_comments=*/true);
    if (doc.is_discarded())
        return std::nullopt;
    return doc;
}

}  // namespace conflictlab::fuzz
