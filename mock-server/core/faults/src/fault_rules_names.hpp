#pragma once
// The spellings of enumerated rule-file values, shared by the parser and the
// serializer so the two cannot drift apart.

#include <array>
#include <string_view>
#include <utility>

#include "conflictlab/common/etag.hpp"
#include "conflictlab/mock/exchange.hpp"
#include "conflictlab/mock/faults/fault_decision.hpp"

namespace conflictlab::mock {

// then.status: the answers real optimistic-concurrency APIs give that a
// client must survive (docs/fault-rules.md says what each one exercises).
inline constexpr std::array<int, 10> fault_statuses{404, 409, 410, 412, 428,
                                                    429, 500, 502, 503, 504};

inline constexpr std::array<std::pair<std::string_view, EtagStyle>, 3> etag_style_names{{
    {"strong", EtagStyle::strong},
    {"weak", EtagStyle::weak},
    {"unquoted", EtagStyle::unquoted},
}};

inline constexpr std::array<std::pair<std::string_view, EtagScheme>, 3> etag_scheme_names{{
    {"counter", EtagScheme::counter},
    {"hash", EtagScheme::hash},
    {"uuid", EtagScheme::uuid},
}};

inline constexpr std::array<std::pair<std::string_view, ConnectionFate>, 3> connection_names{{
    {"reset", ConnectionFate::reset},
    {"close", ConnectionFate::close_silently},
    {"hang", ConnectionFate::hang},
}};

template <typename Enum, std::size_t N>
constexpr std::string_view name_of(const std::array<std::pair<std::string_view, Enum>, N>& names,
                                   Enum value) {
    for (const auto& [name, v] : names) {
        if (v == value) {
            return name;
        }
    }
    return {};
}

}  // namespace conflictlab::mock
