// parse_expectation: "<metric> <op> <operand>" (grammar in expectations.hpp).
// A small hand-written scanner: the language is three tokens, and hand
// scanning gives the exact messages users see in CI logs.

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <stdexcept>

#include "conflictlab/engine/outcome.hpp"
#include "conflictlab/harness/expectations.hpp"
#include "metric_vocabulary.hpp"

namespace conflictlab::harness {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 7> kOperators = {
    "==", "!=", "<", "<=", ">", ">=", "contains"};
constexpr const char* kOperatorList = "==, !=, <, <=, >, >=, contains";
// Expressions longer than this are refused (a bound on what CI logs echo).
constexpr std::size_t kMaxExpressionChars = 500;

[[noreturn]] void bad(const std::string& message) {
    throw std::invalid_argument(message);
}

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}
bool is_name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}
bool is_operator_char(char c) {
    return c == '=' || c == '!' || c == '<' || c == '>';
}

std::string json_quote(std::string_view s) {
    return json(std::string(s)).dump();
}

class Scanner {
  public:
    explicit Scanner(std::string_view text) : text_(text) {}

    void skip_space() {
        while (pos_ < text_.size() && is_space(text_[pos_])) {
            ++pos_;
        }
    }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    std::size_t pos() const { return pos_; }
    std::string_view rest() const { return text_.substr(std::min(pos_, text_.size())); }
    std::string_view from(std::size_t start) const {
        return text_.substr(start, std::min(pos_, text_.size()) - start);
    }
    void advance(std::size_t n) { pos_ = std::min(text_.size(), pos_ + n); }

    // Up to the next whitespace.
    std::string_view word() {
        std::size_t start = pos_;
        while (!at_end() && !is_space(text_[pos_])) {
            ++pos_;
        }
        return from(start);
    }

    // A JSON string literal starting at '"'; returns its value.
    std::string json_string(std::string_view what) {
        std::size_t start = pos_;
        ++pos_;
        while (!at_end() && text_[pos_] != '"') {
            pos_ += text_[pos_] == '\\' ? 2 : 1;
        }
        if (at_end()) {
            pos_ = text_.size();
            bad("unterminated quoted " + std::string(what) + ": " + std::string(from(start)));
        }
        ++pos_;
        try {
            return json::parse(from(start)).get<std::string>();
        } catch (const json::exception&) {
            bad("bad quoted " + std::string(what) + " " + std::string(from(start)) +
                " (use JSON string escapes)");
        }
    }

    // metric := name ( "." segment | "[" json-string "]" )*
    std::vector<std::string> metric_path() {
        std::size_t start = pos_;
        std::vector<std::string> segments;
        auto name = [&](bool first) {
            std::size_t s = pos_;
            if (!at_end() && (first ? is_name_start(peek()) : is_name_char(peek()))) {
                while (!at_end() && is_name_char(peek())) {
                    ++pos_;
                }
            }
            return std::string(from(s));
        };
        segments.push_back(name(true));
        while (!at_end()) {
            if (peek() == '.') {
                ++pos_;
                segments.push_back(name(false));
                if (segments.back().empty()) {
                    bad("metric " + json_quote(from(start)) +
                        ": expected a name after \".\" (letters, digits, _ and -)");
                }
            } else if (peek() == '[') {
                ++pos_;
                if (peek() != '"') {
                    bad("metric " + json_quote(from(start)) +
                        ": expected a quoted name after \"[\" (e.g. paths[\"refetch>merge\"])");
                }
                segments.push_back(json_string("name in metric"));
                if (peek() != ']') {
                    bad("metric " + json_quote(from(start)) +
                        ": expected \"]\" after the quoted name");
                }
                ++pos_;
            } else {
                break;
            }
        }
        return segments;
    }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

std::optional<json> as_number(std::string_view token) {
    try {
        json j = json::parse(token);
        if (j.is_number()) {
            return j;
        }
    } catch (const json::exception&) {
    }
    return std::nullopt;
}

bool starts_number(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '+' || c == '.';
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Count maps read absent keys as 0 (metric_vocabulary.hpp), so a misspelt
// key would silently pass "== 0": check the names we know up front.
void check_vocabulary(const std::vector<std::string>& segments, const std::string& text) {
    // groups.<name>.<metric> carries the same metrics per writer group.
    std::size_t at = segments.size() >= 3 && segments[0] == "groups" ? 2 : 0;
    std::size_t depth = segments.size() - at;
    if (depth == 2 && segments[at] == "outcomes") {
        if (!engine::parse_outcome_kind(lower(segments[at + 1]))) {
            bad("metric " + json_quote(text) + ": unknown outcome " + json_quote(segments[at + 1]) +
                " (allowed: Success, Resolved, Discarded, Failed)");
        }
    } else if (depth == 2 && segments[at] == "reasons") {
        if (!engine::parse_failure_reason(segments[at + 1])) {
            bad("metric " + json_quote(text) + ": unknown failure reason " +
                json_quote(segments[at + 1]) + " (allowed: " + detail::failure_reason_list() + ")");
        }
    } else if (depth == 3 && segments[at] == "server" && segments[at + 1] == "status") {
        if (!detail::is_status_code(segments[at + 2])) {
            bad("metric " + json_quote(text) + ": expected an HTTP status code 100..599 after " +
                "server.status (got " + json_quote(segments[at + 2]) + ")");
        }
    }
}

}  // namespace

std::vector<std::string> split_metric_path(std::string_view path) {
    Scanner s(path);
    if (!is_name_start(s.peek())) {
        bad("expected a metric name (letters, digits, _ and -, starting with a letter), got " +
            json_quote(path));
    }
    auto segments = s.metric_path();
    if (!s.at_end()) {
        bad("metric " + json_quote(path) + ": unexpected " + json_quote(s.rest()));
    }
    return segments;
}

Expectation parse_expectation(std::string_view input) {
    std::string_view text = trim(input);
    if (text.empty()) {
        bad("empty expression (expected <metric> <op> <operand>, e.g. \"lost_updates == 0\")");
    }
    if (text.size() > kMaxExpressionChars) {
        bad("expression longer than " + std::to_string(kMaxExpressionChars) + " characters");
    }
    Expectation e;
    e.text = std::string(text);
    Scanner s(text);

    // metric
    if (!is_name_start(s.peek())) {
        bad("expected a metric name first (e.g. \"lost_updates == 0\"), got " +
            json_quote(s.word()));
    }
    std::size_t metric_start = s.pos();
    auto segments = s.metric_path();
    e.metric = std::string(s.from(metric_start));
    check_vocabulary(segments, e.metric);

    // op
    s.skip_space();
    if (s.at_end()) {
        bad("missing operator after " + json_quote(e.metric) + " (allowed: " + kOperatorList + ")");
    }
    // Operators are a run of =!<> characters, or a word ("contains").
    std::string_view rest = s.rest();
    std::size_t n = 0;
    if (is_operator_char(rest[0])) {
        while (n < rest.size() && is_operator_char(rest[n])) {
            ++n;
        }
    } else {
        while (n < rest.size() && !is_space(rest[n])) {
            ++n;
        }
    }
    std::string_view op = rest.substr(0, n);
    if (std::find(kOperators.begin(), kOperators.end(), op) == kOperators.end()) {
        std::string hint = op == "=" ? " (did you mean ==?)" : "";
        bad("unknown operator " + json_quote(op) + hint + " (allowed: " + kOperatorList + ")");
    }
    e.op = std::string(op);
    s.advance(n);

    // operand
    s.skip_space();
    if (s.at_end()) {
        bad("missing operand after " + json_quote(e.op));
    }
    const bool contains = e.op == "contains";
    const bool ordering = e.op != "==" && e.op != "!=" && !contains;
    std::size_t operand_start = s.pos();
    if (s.peek() == '"') {
        e.operand = s.json_string("operand");
    } else if (starts_number(s.peek())) {
        std::string_view token = s.word();
        auto number = as_number(token);
        if (!number) {
            bad("not a number: " + json_quote(token));
        }
        e.operand = *number;
    } else if (contains) {
        e.operand = std::string(s.word());
    } else if (is_name_start(s.peek())) {
        auto operand_segments = s.metric_path();
        std::string path(s.from(operand_start));
        if (operand_segments.size() == 1 && (path == "true" || path == "false")) {
            e.operand = path == "true";
        } else {
            check_vocabulary(operand_segments, path);
            e.operand = path;
            e.operand_is_metric = true;
        }
    } else {
        bad("expected a number or a metric after " + json_quote(e.op) + ", got " +
            json_quote(s.word()));
    }
    s.skip_space();
    if (!s.at_end()) {
        bad("unexpected text after the operand: " + json_quote(s.rest()));
    }

    if (ordering && !e.operand_is_metric && !e.operand.is_number()) {
        bad("operator " + json_quote(e.op) + " needs a number or a metric on the right (got " +
            e.operand.dump() + ")");
    }
    if (contains && e.operand.is_string() && e.operand.get_ref<const std::string&>().empty()) {
        bad("contains needs something to look for (got an empty string)");
    }
    return e;
}

}  // namespace conflictlab::harness
