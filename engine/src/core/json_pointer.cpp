#include "core/json_pointer.hpp"

#include <algorithm>

namespace conflictlab::engine::detail {

using nlohmann::json;

bool is_valid_pointer(std::string_view pointer) noexcept {
    if (pointer.empty())
        return true;
    if (pointer.front() != '/')
        return false;
    for (std::size_t i = 0; i < pointer.size(); ++i) {
        if (pointer[i] == '~') {
            if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
                return false;
            }
        }
    }
    return true;
}

std::optional<std::vector<std::string>> split_pointer(std::string_view pointer) {
    if (!is_valid_pointer(pointer))
        return std::nullopt;
    std::vector<std::string> tokens;
    if (pointer.empty())
        return tokens;
    std::size_t pos = 1;
    while (true) {
        std::size_t end = pointer.find('/', pos);
        std::string_view raw =
            pointer.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        std::string token;
        token.reserve(raw.size());
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '~') {
                token += raw[i + 1] == '0' ? '~' : '/';
                ++i;
            } else {
                token += raw[i];
            }
        }
        tokens.push_back(std::move(token));
        if (end == std::string_view::npos)
            break;
        pos = end + 1;
    }
    return tokens;
}

namespace {

// Array index per RFC 6901: "0" or digits without a leading zero.
std::optional<std::size_t> array_index(std::string_view token) {
    if (token.empty() || token.size() > 9)
        return std::nullopt;
    if (token.size() > 1 && token.front() == '0')
        return std::nullopt;
    std::size_t v = 0;
    for (char c : token) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<std::size_t>(c - '0');
    }
    return v;
}

// The reference token starting at `pos` (just after a '/') of a valid
// pointer, unescaped into `scratch` only when it contains '~': find() runs for
// every fetched document, so the common case allocates nothing.
std::string_view token_at(std::string_view pointer, std::size_t pos, std::size_t end,
                          std::string& scratch) {
    std::string_view raw = pointer.substr(pos, end - pos);
    if (raw.find('~') == std::string_view::npos)
        return raw;
    scratch.clear();
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '~') {
            scratch += raw[i + 1] == '0' ? '~' : '/';
            ++i;
        } else {
            scratch += raw[i];
        }
    }
    return scratch;
}

}  // namespace

const json* find(const json& doc, std::string_view pointer) {
    if (!is_valid_pointer(pointer))
        return nullptr;
    const json* cur = &doc;
    std::string scratch;
    std::size_t pos = 1;
    while (pos <= pointer.size()) {
        std::size_t end = std::min(pointer.find('/', pos), pointer.size());
        std::string_view token = token_at(pointer, pos, end, scratch);
        if (cur->is_object()) {
            const auto& obj = cur->get_ref<const json::object_t&>();
            auto it = obj.find(token);
            if (it == obj.end())
                return nullptr;
            cur = &it->second;
        } else if (cur->is_array()) {
            auto index = array_index(token);
            if (!index || *index >= cur->size())
                return nullptr;
            cur = &(*cur)[*index];
        } else {
            return nullptr;
        }
        pos = end + 1;
    }
    return cur;
}

bool set_at(json& doc, std::string_view pointer, json value) {
    auto tokens = split_pointer(pointer);
    if (!tokens || tokens->empty())
        return false;
    // Check the whole path first so a failure leaves doc untouched.
    const json* probe = &doc;
    for (std::size_t i = 0; i + 1 < tokens->size() && probe != nullptr; ++i) {
        if (probe->is_null())
            break;  // created below
        if (!probe->is_object())
            return false;
        auto it = probe->find((*tokens)[i]);
        probe = it == probe->end() ? nullptr : &*it;
    }
    if (probe != nullptr && !probe->is_object() && !probe->is_null())
        return false;
    if (doc.is_null())
        doc = json::object();
    json* cur = &doc;
    for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
        json& next = (*cur)[(*tokens)[i]];
        if (next.is_null())
            next = json::object();
        cur = &next;
    }
    (*cur)[tokens->back()] = std::move(value);
    return true;
}

void erase_at(json& doc, std::string_view pointer) {
    auto tokens = split_pointer(pointer);
    if (!tokens || tokens->empty())
        return;
    json* cur = &doc;
    for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
        if (!cur->is_object())
            return;
        auto it = cur->find((*tokens)[i]);
        if (it == cur->end())
            return;
        cur = &*it;
    }
    if (cur->is_object())
        cur->erase(tokens->back());
}

std::string child_pointer(std::string_view pointer, std::string_view key) {
    std::string out(pointer);
    out.reserve(out.size() + key.size() + 1);
    out += '/';
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0x0f];
        }
    }
    return out;
}

}  // namespace conflictlab::engine::detail
