#include "conflictlab/common/headers.hpp"

#include <algorithm>

namespace conflictlab {

namespace {
char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

void HeaderFields::add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
}

void HeaderFields::set(std::string_view name, std::string value) {
    erase(name);
    fields_.emplace_back(std::string(name), std::move(value));
}

void HeaderFields::erase(std::string_view name) {
    std::erase_if(fields_, [&](const Field& f) { return iequals(f.first, name); });
}

std::optional<std::string_view> HeaderFields::get(std::string_view name) const {
    for (const auto& [n, v] : fields_) {
        if (iequals(n, name)) return std::string_view(v);
    }
    return std::nullopt;
}

std::optional<std::string> HeaderFields::get_combined(std::string_view name) const {
    std::optional<std::string> out;
    for (const auto& [n, v] : fields_) {
        if (!iequals(n, name)) continue;
        if (out) {
            out->append(", ");
            out->append(v);
        } else {
            out = v;
        }
    }
    return out;
}

}  // namespace conflictlab
