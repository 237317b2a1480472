#include "conflictlab/common/json_text.hpp"

#include <charconv>
#include <cstdint>
#include <string>

namespace conflictlab {

namespace {

using nlohmann::json;

// Recursive descent over the fast-path subset. Every method returns false
// when the input leaves the subset (or is invalid): the caller then
// re-parses the whole text with nlohmann, which decides.
class FastParser {
  public:
    explicit FastParser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

    bool document(json& out) {
        skip_ws();
        if (!value(out, 0))
            return false;
        skip_ws();
        return p_ == end_;
    }

  private:
    // Deeper documents go to nlohmann (no recursion limit there).
    static constexpr int kMaxDepth = 64;

    void skip_ws() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
            ++p_;
    }

    bool literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::string_view(p_, word.size()) != word)
            return false;
        p_ += word.size();
        return true;
    }

    bool value(json& out, int depth) {
        if (p_ == end_)
            return false;
        switch (*p_) {
            case '{':
                return object(out, depth + 1);
            case '[':
                return array(out, depth + 1);
            case '"': {
                std::string s;
                if (!string(s))
                    return false;
                out = std::move(s);
                return true;
            }
            case 't':
                out = true;
                return literal("true");
            case 'f':
                out = false;
                return literal("false");
            case 'n':
                out = nullptr;
                return literal("null");
            default:
                return number(out);
        }
    }

    // ASCII printable strings without escapes only.
    bool string(std::string& out) {
        const char* start = ++p_;  // after the opening quote
        while (p_ != end_) {
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                out.assign(start, p_);
                ++p_;
                return true;
            }
            if (c == '\\' || c < 0x20 || c >= 0x80)
                return false;
            ++p_;
        }
        return false;
    }

    // Integers of at most 18 digits (no overflow possible); anything with a
    // fraction or exponent, leading zeros or more digits goes to nlohmann.
    bool number(json& out) {
        const bool negative = *p_ == '-';
        if (negative)
            ++p_;
        const char* digits = p_;
        std::uint64_t v = 0;
        while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
            v = v * 10 + static_cast<std::uint64_t>(*p_ - '0');
            ++p_;
        }
        const auto n = p_ - digits;
        if (n == 0 || n > 18 || (n > 1 && *digits == '0'))
            return false;
        if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E'))
            return false;
        if (negative) {
            out = json::number_integer_t(-static_cast<std::int64_t>(v));
        } else {
            out = json::number_unsigned_t(v);
        }
        return true;
    }

    bool object(json& out, int depth) {
        if (depth > kMaxDepth)
            return false;
        ++p_;  // '{'
        out = json::object();
        auto& members = *out.get_ptr<json::object_t*>();
        skip_ws();
        if (p_ != end_ && *p_ == '}') {
            ++p_;
            return true;
        }
        std::string key;
        for (;;) {
            if (p_ == end_ || *p_ != '"' || !string(key))
                return false;
            skip_ws();
            if (p_ == end_ || *p_ != ':')
                return false;
            ++p_;
            skip_ws();
            // Keys usually arrive sorted (nlohmann writes them so): the end
            // is then the right hint. A repeated key keeps the last value.
            auto it = members.try_emplace(members.end(), std::move(key));
            if (!value(it->second, depth))
                return false;
            if (const Next next = after_item('}'); next != Next::more)
                return next == Next::done;
        }
    }

    bool array(json& out, int depth) {
        if (depth > kMaxDepth)
            return false;
        ++p_;  // '['
        out = json::array();
        auto& items = *out.get_ptr<json::array_t*>();
        skip_ws();
        if (p_ != end_ && *p_ == ']') {
            ++p_;
            return true;
        }
        for (;;) {
            items.emplace_back();
            if (!value(items.back(), depth))
                return false;
            if (const Next next = after_item(']'); next != Next::more)
                return next == Next::done;
        }
    }

    // After a member or an element: ',' means another follows, `close` ends
    // the container, anything else is not JSON (or not ours).
    enum class Next { more, done, bad };
    Next after_item(char close) {
        skip_ws();
        if (p_ == end_)
            return Next::bad;
        if (*p_ == ',') {
            ++p_;
            skip_ws();
            return Next::more;
        }
        if (*p_ == close) {
            ++p_;
            return Next::done;
        }
        return Next::bad;
    }

    const char* p_;
    const char* end_;
};

// Writes the fast subset; false at the first value outside it.
class FastWriter {
  public:
    explicit FastWriter(std::string& out) : out_(out) {}

    bool value(const json& j, int depth) {
        switch (j.type()) {
            case json::value_t::null:
                out_ += "null";
                return true;
            case json::value_t::boolean:
                out_ += j.get<bool>() ? "true" : "false";
                return true;
            case json::value_t::number_integer:
                number(j.get<std::int64_t>());
                return true;
            case json::value_t::number_unsigned:
                number(j.get<std::uint64_t>());
                return true;
            case json::value_t::string:
                return string(*j.get_ptr<const std::string*>());
            case json::value_t::object: {
                if (depth > kMaxDepth)
                    return false;
                out_ += '{';
                bool first = true;
                for (const auto& [key, member] : *j.get_ptr<const json::object_t*>()) {
                    if (!first)
                        out_ += ',';
                    first = false;
                    if (!string(key))
                        return false;
                    out_ += ':';
                    if (!value(member, depth + 1))
                        return false;
                }
                out_ += '}';
                return true;
            }
            case json::value_t::array: {
                if (depth > kMaxDepth)
                    return false;
                out_ += '[';
                bool first = true;
                for (const auto& item : *j.get_ptr<const json::array_t*>()) {
                    if (!first)
                        out_ += ',';
                    first = false;
                    if (!value(item, depth + 1))
                        return false;
                }
                out_ += ']';
                return true;
            }
            case json::value_t::number_float:
            case json::value_t::binary:
            case json::value_t::discarded:
                break;
        }
        return false;
    }

  private:
    static constexpr int kMaxDepth = 64;

    template <typename Int>
    void number(Int v) {
        char buf[24];
        out_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    }

    // Printable ASCII; '"' and '\\' escaped as nlohmann does.
    bool string(const std::string& s) {
        out_ += '"';
        std::size_t run = 0;  // start of the bytes not yet copied
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto u = static_cast<unsigned char>(s[i]);
            if (u < 0x20 || u >= 0x80)
                return false;
            if (u == '"' || u == '\\') {
                out_.append(s, run, i - run);
                out_ += '\\';
                run = i;
            }
        }
        out_.append(s, run, s.size() - run);
        out_ += '"';
        return true;
    }

    std::string& out_;
};

void release_children(json& j, int depth) noexcept {
    if (depth > 64)
        return;
    if (auto* members = j.get_ptr<json::object_t*>()) {
        for (auto& [key, member] : *members) {
            if (member.is_structured())
                release_children(member, depth + 1);
        }
        members->clear();  // only scalars and empty containers left
    } else if (auto* items = j.get_ptr<json::array_t*>()) {
        for (auto& item : *items) {
            if (item.is_structured())
                release_children(item, depth + 1);
        }
        items->clear();
    }
}

}  // namespace

void release_json(nlohmann::json& j) noexcept {
    release_children(j, 0);
    j = nullptr;
}

bool append_json_fast(std::string& out, const nlohmann::json& j) {
    const std::size_t mark = out.size();
    if (FastWriter(out).value(j, 0))
        return true;
    out.resize(mark);
    return false;
}

std::string dump_json(const nlohmann::json& j) {
    std::string out;
    out.reserve(256);  // most bodies here fit; saves the first few regrowths
    if (append_json_fast(out, j))
        return out;
    return j.dump();
}

bool parse_json_fast(std::string_view text, nlohmann::json& out) {
    json parsed;
    if (!FastParser(text).document(parsed))
        return false;
    out = std::move(parsed);
    return true;
}

nlohmann::json parse_json(std::string_view text, bool allow_exceptions) {
    json out;
    if (FastParser(text).document(out))
        return out;
    return json::parse(text, nullptr, allow_exceptions);
}

}  // namespace conflictlab
