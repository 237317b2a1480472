#include "field_reader.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness::detail {

using nlohmann::json;

namespace {

// Documents nested deeper than this are refused: no scenario needs it, and a
// bound keeps a hostile file from exhausting the stack of later consumers.
constexpr int kMaxDepth = 64;

// 3600 rather than 3600.0 in messages.
std::string number_text(double d) {
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
        return std::to_string(static_cast<std::int64_t>(d));
    }
    return json(d).dump();
}

// The part of nlohmann's message after "parse error at line L, column C: ",
// prefixed with "line L, column C: " computed from the byte offset when the
// message carries no position.
std::string clean_parse_error(const json::parse_error& e, std::string_view text) {
    std::string what = e.what();
    const std::string marker = "parse error at ";
    auto at = what.find(marker);
    if (at != std::string::npos && what.compare(at + marker.size(), 4, "line") == 0) {
        return what.substr(at + marker.size());
    }
    // No position in the message: derive it from the byte offset.
    std::size_t byte = std::min<std::size_t>(e.byte, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < byte; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    auto colon = what.find(": ");
    std::string problem = colon == std::string::npos ? what : what.substr(colon + 2);
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + problem;
}

// Tracks where the SAX parser is, to name the path of a duplicate key.
struct Frame {
    bool array = false;
    std::set<std::string> keys;
    std::string key;
    std::size_t index = 0;
};

std::string frames_path(const std::vector<Frame>& frames) {
    std::string out;
    for (const auto& f : frames) {
        if (f.array) {
            out += "[" + std::to_string(f.index) + "]";
        } else {
            if (!out.empty()) {
                out += ".";
            }
            out += f.key;
        }
    }
    return out;
}

}  // namespace

void fail(std::string_view source, const std::string& path, const std::string& problem) {
    std::string message(source);
    if (!path.empty()) {
        message += ": " + path;
    }
    message += ": " + problem;
    throw ScenarioError(path, message);
}

std::string describe(const json& v) {
    switch (v.type()) {
        case json::value_t::object:
            return "an object";
        case json::value_t::array:
            return "an array";
        case json::value_t::string:
            return "a string";
        case json::value_t::boolean:
            return v.get<bool>() ? "true" : "false";
        case json::value_t::null:
            return "null";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
            return "number " + v.dump();
        default:
            return v.type_name();
    }
}

std::string join(const std::vector<std::string>& names, std::string_view separator) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) {
            out += separator;
        }
        out += n;
    }
    return out;
}

json parse_document(std::string_view text, std::string_view source) {
    std::vector<Frame> frames;
    auto element_done = [&frames] {
        if (!frames.empty() && frames.back().array) {
            ++frames.back().index;
        }
    };
    json::parser_callback_t callback = [&](int depth, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
            case json::parse_event_t::array_start:
                if (depth >= kMaxDepth) {
                    fail(source, frames_path(frames),
                         "nested more than " + std::to_string(kMaxDepth) + " levels deep");
                }
                frames.push_back(Frame{event == json::parse_event_t::array_start, {}, {}, 0});
                break;
            case json::parse_event_t::key: {
                auto& top = frames.back();
                top.key = parsed.get<std::string>();
                if (!top.keys.insert(top.key).second) {
                    fail(source, frames_path(frames),
                         "duplicate key (each key may appear once in an object)");
                }
                break;
            }
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end:
                frames.pop_back();
                element_done();
                break;
            case json::parse_event_t::value:
                element_done();
                break;
        }
        return true;
    };
    // The parser's own words for this case depend on the parse mode; say it plainly.
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        fail(source, "", "the file is empty (expected a JSON object)");
    }
    try {
        return json::parse(text, callback, /*allow_exceptions=*/true, /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
        fail(source, "", clean_parse_error(e, text));
    } catch (const json::out_of_range& e) {
        // A number beyond a double ("1e400") is out_of_range, not a
        // parse_error, in nlohmann's parser (found by fuzz_scenario).
        const std::string what = e.what();
        const auto bracket = what.find("] ");
        fail(source, "", bracket == std::string::npos ? what : what.substr(bracket + 2));
    }
}

FieldReader::FieldReader(const json& value, std::string path, std::string_view source)
    : value_(value), path_(std::move(path)), source_(source) {
    if (!value_.is_object()) {
        detail::fail(source_, path_, "expected an object (got " + describe(value_) + ")");
    }
}

const json* FieldReader::get(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
        known_.emplace_back(key);
    }
    auto it = value_.find(key);
    return it == value_.end() ? nullptr : &*it;
}

std::string FieldReader::path_of(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void FieldReader::fail_at(std::string_view key, const std::string& problem) const {
    detail::fail(source_, path_of(key), problem);
}

bool FieldReader::read_string(std::string_view key, std::string& out) {
    const json* v = get(key);
    if (v) {
        out = as_string(*v, path_of(key));
    }
    return v != nullptr;
}

bool FieldReader::read_bool(std::string_view key, bool& out) {
    const json* v = get(key);
    if (!v) {
        return false;
    }
    if (!v->is_boolean()) {
        fail_at(key, "expected true or false (got " + describe(*v) + ")");
    }
    out = v->get<bool>();
    return true;
}

bool FieldReader::read_int(std::string_view key, std::int64_t& out, std::int64_t lo,
                           std::int64_t hi) {
    const json* v = get(key);
    if (v) {
        out = as_int(*v, path_of(key), lo, hi);
    }
    return v != nullptr;
}

bool FieldReader::read_int(std::string_view key, int& out, int lo, int hi) {
    std::int64_t wide = out;
    bool present = read_int(key, wide, lo, hi);
    out = static_cast<int>(wide);
    return present;
}

bool FieldReader::read_double(std::string_view key, double& out, double lo, double hi,
                              bool lo_exclusive) {
    const json* v = get(key);
    if (!v) {
        return false;
    }
    if (!v->is_number()) {
        fail_at(key, "expected a number (got " + describe(*v) + ")");
    }
    double d = v->get<double>();
    bool ok = (lo_exclusive ? d > lo : d >= lo) && d <= hi;
    if (!ok) {
        std::string range =
            lo_exclusive
                ? "must be greater than " + number_text(lo) + " and at most " + number_text(hi)
                : "must be between " + number_text(lo) + " and " + number_text(hi);
        fail_at(key, range + " (got " + v->dump() + ")");
    }
    out = d;
    return true;
}

bool FieldReader::read_choice(std::string_view key, std::size_t& out,
                              std::initializer_list<std::string_view> names) {
    const json* v = get(key);
    if (!v) {
        return false;
    }
    std::vector<std::string> list(names.begin(), names.end());
    if (!v->is_string()) {
        fail_at(key, "expected one of " + join(list) + " (got " + describe(*v) + ")");
    }
    const auto& s = v->get_ref<const std::string&>();
    auto it = std::find(names.begin(), names.end(), s);
    if (it == names.end()) {
        fail_at(key, "unknown value " + v->dump() + " (allowed: " + join(list) + ")");
    }
    out = static_cast<std::size_t>(it - names.begin());
    return true;
}

void FieldReader::allow(std::initializer_list<std::string_view> keys) {
    for (auto key : keys) {
        if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
            known_.emplace_back(key);
        }
    }
    finish();
}

void FieldReader::finish() const {
    for (const auto& [key, v] : value_.items()) {
        if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
            fail_at(key, "unknown field (allowed: " + join(known_) + ")");
        }
    }
}

std::string FieldReader::as_string(const json& v, const std::string& path) const {
    if (!v.is_string()) {
        detail::fail(source_, path, "expected a string (got " + describe(v) + ")");
    }
    return v.get<std::string>();
}

std::int64_t FieldReader::as_int(const json& v, const std::string& path, std::int64_t lo,
                                 std::int64_t hi) const {
    if (!v.is_number_integer()) {
        detail::fail(source_, path, "expected an integer (got " + describe(v) + ")");
    }
    bool in_range = v.is_number_unsigned()
                        ? v.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi) &&
                              (lo <= 0 || v.get<std::uint64_t>() >= static_cast<std::uint64_t>(lo))
                        : v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi;
    if (!in_range) {
        detail::fail(source_, path,
                     "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                         " (got " + v.dump() + ")");
    }
    return v.get<std::int64_t>();
}

}  // namespace conflictlab::harness::detail
