#include "body_version.hpp"

#include <charconv>

namespace conflictlab::mock {

namespace {

std::string unescape(std::string_view token) {
    std::string out;
    for (std::size_t i = 0; i < token.size(); ++i) {
        if (token[i] == '~' && i + 1 < token.size()) {
            out += token[i + 1] == '1' ? '/' : '~';
            ++i;
        } else {
            out += token[i];
        }
    }
    return out;
}

// Array index per RFC 6901: "0" or digits without a leading zero.
bool array_index(const std::string& token, std::size_t& index) noexcept {
    if (token.empty() || (token.size() > 1 && token[0] == '0')) {
        return false;
    }
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
    return ec == std::errc{} && end == token.data() + token.size();
}

}  // namespace

VersionPointer::VersionPointer(std::string_view pointer) : text_(pointer) {
    std::size_t start = 1;  // skip the leading '/'
    while (start <= pointer.size()) {
        const auto slash = pointer.find('/', start);
        const auto end = slash == std::string_view::npos ? pointer.size() : slash;
        tokens_.push_back(unescape(pointer.substr(start, end - start)));
        start = end + 1;
    }
}

const nlohmann::json* VersionPointer::find(const nlohmann::json& body) const noexcept {
    const nlohmann::json* node = &body;
    for (const auto& token : tokens_) {
        if (node->is_object()) {
            auto it = node->find(token);
            if (it == node->end()) {
                return nullptr;
            }
            node = &*it;
        } else if (node->is_array()) {
            std::size_t index = 0;
            if (!array_index(token, index) || index >= node->size()) {
                return nullptr;
            }
            node = &(*node)[index];
        } else {
            return nullptr;
        }
    }
    return node;
}

bool VersionPointer::put(nlohmann::json& body, const std::string& token, std::string& error) const {
    // Check the whole path first so a failure changes nothing.
    const nlohmann::json* probe = &body;
    std::string walked;
    for (std::size_t i = 0; i + 1 < tokens_.size() && probe != nullptr; ++i) {
        walked += "/" + tokens_[i];
        if (probe->is_object()) {
            auto it = probe->find(tokens_[i]);
            probe = it == probe->end() ? nullptr : &*it;
        } else if (probe->is_array()) {
            std::size_t index = 0;
            if (!array_index(tokens_[i], index) || index >= probe->size()) {
                error = "body: " + walked + " must exist to hold the version token at " + text_;
                return false;
            }
            probe = &(*probe)[index];
        }
        if (probe != nullptr && !probe->is_object() && !probe->is_array() && !probe->is_null()) {
            error = "body: " + walked + " must be an object to hold the version token at " + text_;
            return false;
        }
    }
    if (probe != nullptr && probe->is_array()) {
        std::size_t index = 0;
        if (!array_index(tokens_.back(), index) || index >= probe->size()) {
            error = "body: " + text_ + " does not name an array element";
            return false;
        }
    }
    nlohmann::json* node = &body;
    for (std::size_t i = 0; i + 1 < tokens_.size(); ++i) {
        if (node->is_array()) {
            std::size_t index = 0;
            array_index(tokens_[i], index);
            node = &(*node)[index];
        } else {
            node = &(*node)[tokens_[i]];  // creates a missing member (null -> object)
        }
    }
    if (node->is_array()) {
        std::size_t index = 0;
        array_index(tokens_.back(), index);
        (*node)[index] = token;
    } else {
        (*node)[tokens_.back()] = token;
    }
    return true;
}

bool VersionPointer::named_by_merge_patch(const nlohmann::json& patch) const noexcept {
    const nlohmann::json* node = &patch;
    for (const auto& token : tokens_) {
        if (!node->is_object()) {
            return false;
        }
        auto it = node->find(token);
        if (it == node->end()) {
            return false;
        }
        node = &*it;
    }
    return !node->is_null();
}

bool VersionPointer::named_by_json_patch(const nlohmann::json& patch) const noexcept {
    if (!patch.is_array()) {
        return false;
    }
    for (const auto& op : patch) {
        if (!op.is_object()) {
            continue;
        }
        auto path = op.find("path");
        if (path != op.end() && path->is_string() && path->get_ref<const std::string&>() == text_) {
            return true;
        }
    }
    return false;
}

}  // namespace conflictlab::mock
