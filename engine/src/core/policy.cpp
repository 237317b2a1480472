#include "conflictlab/engine/policy.hpp"

#include <algorithm>
#include <set>

#include "core/json_pointer.hpp"
#include "core/names.hpp"

namespace conflictlab::engine {

using nlohmann::json;

namespace {

constexpr detail::NameTable<Strategy, 2> kStrategyNames = {
    {Strategy::overwrite, "overwrite"},
    {Strategy::merge, "merge"},
};
constexpr detail::NameTable<FieldRule, 4> kFieldRuleNames = {
    {FieldRule::newer_wins, "newer-wins"},
    {FieldRule::ours, "ours"},
    {FieldRule::theirs, "theirs"},
    {FieldRule::fail, "fail"},
};
constexpr detail::NameTable<DeletedPolicy, 3> kDeletedNames = {
    {DeletedPolicy::fail, "fail"},
    {DeletedPolicy::recreate, "recreate"},
    {DeletedPolicy::drop, "drop"},
};
constexpr detail::NameTable<TokenSource, 2> kSourceNames = {
    {TokenSource::etag_header, "etag-header"},
    {TokenSource::body_pointer, "body-pointer"},
};
constexpr detail::NameTable<TokenSink, 3> kSinkNames = {
    {TokenSink::if_match, "if-match"},
    {TokenSink::body_pointer, "body-pointer"},
    {TokenSink::both, "both"},
};
constexpr detail::NameTable<WeakEtagMode, 2> kWeakNames = {
    {WeakEtagMode::strict, "strict"},
    {WeakEtagMode::lenient, "lenient"},
};

constexpr std::int64_t kMaxMs = 24LL * 3600 * 1000;  // a day bounds every duration
constexpr const char* kPresetNames = "aws-standard, k8s-client-go";

[[noreturn]] void fail(const std::string& field, const std::string& problem) {
    throw PolicyError(field, problem);
}

std::string type_name(const json& v) {
    return v.type_name();
}

// A JSON object read field by field; every key must be consumed or it is an
// unknown field.
class ObjectReader {
  public:
    ObjectReader(const json& j, std::string where) : j_(j), where_(std::move(where)) {
        if (!j_.is_object())
            fail(where_, "expected an object, got " + type_name(j_));
    }

    const json* get(const std::string& key) {
        seen_.insert(key);
        auto it = j_.find(key);
        return it == j_.end() ? nullptr : &*it;
    }
    std::string field(const std::string& key) const { return where_ + "." + key; }

    void read_bool(const std::string& key, bool& out) {
        if (const json* v = get(key)) {
            if (!v->is_boolean())
                fail(field(key), "expected true or false, got " + type_name(*v));
            out = v->get<bool>();
        }
    }
    template <class Int>
    void read_int(const std::string& key, Int& out, std::int64_t lo, std::int64_t hi) {
        if (const json* v = get(key))
            out = static_cast<Int>(as_int(*v, field(key), lo, hi));
    }
    void read_double(const std::string& key, double& out, double lo, double hi) {
        if (const json* v = get(key)) {
            if (!v->is_number())
                fail(field(key), "expected a number, got " + type_name(*v));
            double d = v->get<double>();
            if (!(d >= lo && d <= hi)) {
                fail(field(key), "must be between " + json(lo).dump() + " and " + json(hi).dump() +
                                     " (got " + v->dump() + ")");
            }
            out = d;
        }
    }
    void read_pointer(const std::string& key, std::string& out) {
        if (const json* v = get(key))
            out = as_pointer(*v, field(key));
    }
    void read_pointers(const std::string& key, std::vector<std::string>& out) {
        if (const json* v = get(key)) {
            if (!v->is_array())
                fail(field(key), "expected an array of JSON pointers");
            out.clear();
            for (std::size_t i = 0; i < v->size(); ++i) {
                out.push_back(as_pointer((*v)[i], field(key) + "[" + std::to_string(i) + "]"));
            }
        }
    }
    template <class E, std::size_t N>
    void read_enum(const std::string& key, E& out, const detail::NameTable<E, N>& table) {
        if (const json* v = get(key))
            out = as_enum(*v, field(key), table);
    }

    void finish() const {
        for (const auto& [key, value] : j_.items()) {
            if (!seen_.count(key))
                fail(field(key), "unknown field");
        }
    }

    static std::int64_t as_int(const json& v, const std::string& where, std::int64_t lo,
                               std::int64_t hi) {
        if (!v.is_number_integer())
            fail(where, "expected an integer, got " + v.dump());
        if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) {
            fail(where, range(lo, hi, v));
        }
        auto n = v.get<std::int64_t>();
        if (n < lo || n > hi)
            fail(where, range(lo, hi, v));
        return n;
    }
    static std::string as_pointer(const json& v, const std::string& where) {
        if (!v.is_string())
            fail(where, "expected a JSON pointer string, got " + type_name(v));
        auto s = v.get<std::string>();
        if (!detail::is_valid_pointer(s)) {
            fail(where, "not a JSON pointer (RFC 6901; e.g. \"/a/b\"): " + v.dump());
        }
        return s;
    }
    template <class E, std::size_t N>
    static E as_enum(const json& v, const std::string& where,
                     const detail::NameTable<E, N>& table) {
        if (!v.is_string()) {
            fail(where, "expected one of " + detail::names_list(table) + ", got " + type_name(v));
        }
        auto e = detail::value_of(table, v.get<std::string>());
        if (!e) {
            fail(where, "unknown value " + v.dump() + " (expected one of " +
                            detail::names_list(table) + ")");
        }
        return *e;
    }

  private:
    static std::string range(std::int64_t lo, std::int64_t hi, const json& v) {
        return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " (got " +
               v.dump() + ")";
    }

    const json& j_;
    std::string where_;
    std::set<std::string> seen_;
};

// Returns the preset's attempt count when a preset was named.
std::optional<int> read_backoff(const json& j, BackoffOptions& out) {
    const std::string where = "policy.backoff";
    auto preset_named = [&](const json& v, const std::string& field) {
        if (!v.is_string())
            fail(field, "expected a preset name string, got " + type_name(v));
        auto p = find_backoff_preset(v.get<std::string>());
        if (!p) {
            fail(field, "unknown preset " + v.dump() + " (expected one of " + kPresetNames + ")");
        }
        return *p;
    };
    if (j.is_string()) {
        auto p = preset_named(j, where);
        out = p.options;
        return p.max_attempts;
    }
    ObjectReader r(j, where);
    std::optional<int> attempts;
    if (const json* preset = r.get("preset")) {
        auto p = preset_named(*preset, r.field("preset"));
        out = p.options;
        attempts = p.max_attempts;
    }
    if (const json* kind = r.get("kind")) {
        auto k = kind->is_string() ? parse_backoff_kind(kind->get<std::string>()) : std::nullopt;
        if (!k) {
            fail(r.field("kind"), "unknown value " + kind->dump() +
                                      " (expected one of none, constant, exponential, full-jitter, "
                                      "equal-jitter, decorrelated-jitter)");
        }
        out.kind = *k;
    }
    r.read_int("base_ms", out.base_ms, 0, kMaxMs);
    r.read_double("multiplier", out.multiplier, 1.0, 100.0);
    r.read_int("cap_ms", out.cap_ms, 0, kMaxMs);
    r.read_double("jitter", out.jitter, 0.0, 10.0);
    r.finish();
    return attempts;
}

// Field names are built only on failure: validate() runs for every Resolution.
void check_range(std::string_view field, std::int64_t v, std::int64_t lo, std::int64_t hi) {
    if (v < lo || v > hi) {
        fail(std::string(field), "must be between " + std::to_string(lo) + " and " +
                                     std::to_string(hi) + " (got " + std::to_string(v) + ")");
    }
}

void check_pointer(std::string_view field, const std::string& p) {
    if (!detail::is_valid_pointer(p)) {
        fail(std::string(field), "not a JSON pointer (RFC 6901; e.g. \"/a/b\"): " + json(p).dump());
    }
}

}  // namespace

std::string_view strategy_name(Strategy v) noexcept {
    return detail::name_of(kStrategyNames, v);
}
std::string_view field_rule_name(FieldRule v) noexcept {
    return detail::name_of(kFieldRuleNames, v);
}
std::string_view deleted_policy_name(DeletedPolicy v) noexcept {
    return detail::name_of(kDeletedNames, v);
}
std::string_view token_source_name(TokenSource v) noexcept {
    return detail::name_of(kSourceNames, v);
}
std::string_view token_sink_name(TokenSink v) noexcept {
    return detail::name_of(kSinkNames, v);
}
std::string_view weak_etag_mode_name(WeakEtagMode v) noexcept {
    return detail::name_of(kWeakNames, v);
}

FieldRule FieldRules::rule_for(std::string_view pointer) const {
    FieldRule rule = default_rule;
    std::size_t best = 0;
    bool found = false;
    for (const auto& [p, r] : by_pointer) {
        bool matches = pointer == p || (pointer.size() > p.size() && pointer.starts_with(p) &&
                                        pointer[p.size()] == '/');
        if (matches && (!found || p.size() >= best)) {
            rule = r;
            best = p.size();
            found = true;
        }
    }
    return rule;
}

PolicyError::PolicyError(std::string field, const std::string& problem)
    : std::invalid_argument(field + ": " + problem), field_(std::move(field)) {}

void validate(const Policy& p) {
    check_range("policy.max_attempts", p.max_attempts, 1, 1000);
    check_range("policy.backoff.base_ms", p.backoff.base_ms, 0, kMaxMs);
    check_range("policy.backoff.cap_ms", p.backoff.cap_ms, 0, kMaxMs);
    if (p.backoff.cap_ms < p.backoff.base_ms) {
        fail("policy.backoff.cap_ms", "must be >= base_ms (" + std::to_string(p.backoff.base_ms) +
                                          "), got " + std::to_string(p.backoff.cap_ms));
    }
    if (!(p.backoff.multiplier >= 1.0 && p.backoff.multiplier <= 100.0)) {
        fail("policy.backoff.multiplier", "must be between 1 and 100");
    }
    if (!(p.backoff.jitter >= 0.0 && p.backoff.jitter <= 10.0)) {
        fail("policy.backoff.jitter", "must be between 0 and 10");
    }
    check_range("policy.retry_after_cap_ms", p.retry_after_cap_ms, 0, kMaxMs);
    check_range("policy.attempt_timeout_ms", p.attempt_timeout_ms, 1, kMaxMs);
    check_range("policy.deadline_ms", p.deadline_ms, 1, kMaxMs);
    check_pointer("policy.timestamp_pointer", p.timestamp_pointer);
    for (std::size_t i = 0; i < p.set_merge_pointers.size(); ++i) {
        if (!detail::is_valid_pointer(p.set_merge_pointers[i])) {
            check_pointer("policy.set_merge_pointers[" + std::to_string(i) + "]",
                          p.set_merge_pointers[i]);
        }
    }
    for (std::size_t i = 0; i < p.guard_pointers.size(); ++i) {
        if (!detail::is_valid_pointer(p.guard_pointers[i]))
            check_pointer("policy.guard_pointers[" + std::to_string(i) + "]", p.guard_pointers[i]);
    }
    for (const auto& [pointer, rule] : p.field_rules.by_pointer) {
        check_pointer("policy.field_rules.pointers", pointer);
    }
    const auto& t = p.target;
    if (t.resource_path.empty() || t.resource_path.front() != '/') {
        fail("policy.target.resource_path", "must start with '/' (e.g. \"/resources/{id}\")");
    }
    if (t.resource_path.find("{id}") == std::string::npos) {
        fail("policy.target.resource_path", "must contain {id}");
    }
    check_pointer("policy.target.token_pointer", t.token_pointer);
    bool body_used = t.token_source == TokenSource::body_pointer ||
                     t.token_sink == TokenSink::body_pointer || t.token_sink == TokenSink::both;
    if (body_used && t.token_pointer.empty()) {
        fail("policy.target.token_pointer",
             "required when token_source or token_sink uses the body (e.g. \"/_rev\")");
    }
    if (t.conflict_statuses.empty()) {
        fail("policy.target.conflict_statuses", "must name at least one status (e.g. [409, 412])");
    }
    for (std::size_t i = 0; i < t.conflict_statuses.size(); ++i) {
        int s = t.conflict_statuses[i];
        if (s < 400 || s > 599) {
            fail("policy.target.conflict_statuses[" + std::to_string(i) + "]",
                 "must be a 4xx or 5xx status (got " + std::to_string(s) + ")");
        }
    }
}

Policy policy_from_json(const json& j) {
    Policy p;
    ObjectReader r(j, "policy");
    r.read_enum("strategy", p.strategy, kStrategyNames);
    r.read_bool("discard_if_stale", p.discard_if_stale);
    if (const json* rules = r.get("field_rules")) {
        ObjectReader fr(*rules, "policy.field_rules");
        fr.read_enum("default", p.field_rules.default_rule, kFieldRuleNames);
        if (const json* pointers = fr.get("pointers")) {
            const std::string where = "policy.field_rules.pointers";
            if (!pointers->is_object())
                fail(where, "expected an object {\"/pointer\": \"rule\"}");
            for (const auto& [pointer, rule] : pointers->items()) {
                const std::string field = where + "[" + json(pointer).dump() + "]";
                ObjectReader::as_pointer(json(pointer), field);
                p.field_rules.by_pointer[pointer] =
                    ObjectReader::as_enum(rule, field, kFieldRuleNames);
            }
        }
        fr.finish();
    }
    r.read_pointers("set_merge_pointers", p.set_merge_pointers);
    r.read_pointers("guard_pointers", p.guard_pointers);
    r.read_pointer("timestamp_pointer", p.timestamp_pointer);
    r.read_enum("deleted_policy", p.deleted_policy, kDeletedNames);
    std::optional<int> preset_attempts;
    if (const json* b = r.get("backoff"))
        preset_attempts = read_backoff(*b, p.backoff);
    if (preset_attempts)
        p.max_attempts = *preset_attempts;
    r.read_int("max_attempts", p.max_attempts, 1, 1000);
    r.read_int("retry_after_cap_ms", p.retry_after_cap_ms, 0, kMaxMs);
    r.read_int("attempt_timeout_ms", p.attempt_timeout_ms, 1, kMaxMs);
    r.read_int("deadline_ms", p.deadline_ms, 1, kMaxMs);
    if (const json* target = r.get("target")) {
        ObjectReader t(*target, "policy.target");
        if (const json* v = t.get("resource_path")) {
            if (!v->is_string())
                fail(t.field("resource_path"), "expected a string");
            p.target.resource_path = v->get<std::string>();
        }
        t.read_enum("token_source", p.target.token_source, kSourceNames);
        t.read_pointer("token_pointer", p.target.token_pointer);
        t.read_enum("token_sink", p.target.token_sink, kSinkNames);
        if (const json* v = t.get("conflict_statuses")) {
            if (!v->is_array())
                fail(t.field("conflict_statuses"), "expected an array of statuses");
            p.target.conflict_statuses.clear();
            for (std::size_t i = 0; i < v->size(); ++i) {
                const std::string field =
                    t.field("conflict_statuses") + "[" + std::to_string(i) + "]";
                p.target.conflict_statuses.push_back(
                    static_cast<int>(ObjectReader::as_int((*v)[i], field, 400, 599)));
            }
        }
        t.read_enum("weak_etag_mode", p.target.weak_etag_mode, kWeakNames);
        t.finish();
    }
    r.read_bool("detect_already_applied", p.detect_already_applied);
    r.finish();
    validate(p);
    return p;
}

json to_json(const BackoffOptions& b) {
    return {{"kind", backoff_kind_name(b.kind)},
            {"base_ms", b.base_ms},
            {"multiplier", b.multiplier},
            {"cap_ms", b.cap_ms},
            {"jitter", b.jitter}};
}

json to_json(const Policy& p) {
    json pointers = json::object();
    for (const auto& [pointer, rule] : p.field_rules.by_pointer) {
        pointers[pointer] = field_rule_name(rule);
    }
    return {
        {"strategy", strategy_name(p.strategy)},
        {"discard_if_stale", p.discard_if_stale},
        {"field_rules",
         {{"default", field_rule_name(p.field_rules.default_rule)}, {"pointers", pointers}}},
        {"set_merge_pointers", p.set_merge_pointers},
        {"guard_pointers", p.guard_pointers},
        {"timestamp_pointer", p.timestamp_pointer},
        {"deleted_policy", deleted_policy_name(p.deleted_policy)},
        {"max_attempts", p.max_attempts},
        {"backoff", to_json(p.backoff)},
        {"retry_after_cap_ms", p.retry_after_cap_ms},
        {"attempt_timeout_ms", p.attempt_timeout_ms},
        {"deadline_ms", p.deadline_ms},
        {"target",
         {{"resource_path", p.target.resource_path},
          {"token_source", token_source_name(p.target.token_source)},
          {"token_pointer", p.target.token_pointer},
          {"token_sink", token_sink_name(p.target.token_sink)},
          {"conflict_statuses", p.target.conflict_statuses},
          {"weak_etag_mode", weak_etag_mode_name(p.target.weak_etag_mode)}}},
        {"detect_already_applied", p.detect_already_applied},
    };
}

}  // namespace conflictlab::engine
