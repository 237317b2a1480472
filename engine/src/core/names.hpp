#pragma once
// Enum <-> stable name tables, one per enum, so every name used in JSON,
// paths and logs is spelled exactly once.

#include <optional>
#include <string_view>
#include <utility>

namespace conflictlab::engine::detail {

template <class E, std::size_t N>
using NameTable = std::pair<E, std::string_view>[N];

template <class E, std::size_t N>
constexpr std::string_view name_of(const NameTable<E, N>& table, E value) noexcept {
    for (const auto& [v, name] : table) {
        if (v == value)
            return name;
    }
    return "?";
}

template <class E, std::size_t N>
constexpr std::optional<E> value_of(const NameTable<E, N>& table, std::string_view name) noexcept {
    for (const auto& [v, n] : table) {
        if (n == name)
            return v;
    }
    return std::nullopt;
}

// "a, b, c" for error messages.
template <class E, std::size_t N>
std::string names_list(const NameTable<E, N>& table) {
    std::string out;
    for (const auto& entry : table) {
        if (!out.empty())
            out += ", ";
        out += entry.second;
    }
    return out;
}

}  // namespace conflictlab::engine::detail
