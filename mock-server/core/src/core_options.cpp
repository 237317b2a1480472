#include "conflictlab/mock/core_options.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "conflictlab/common/secrets.hpp"
#include "conflictlab/mock/etag_generator.hpp"
#include "conflictlab/mock/faults/fault_rules.hpp"

namespace conflictlab::mock {

namespace {

using nlohmann::json;

constexpr std::string_view kRedacted = "<redacted>";

[[noreturn]] void fail(std::string_view field, std::string_view reason) {
    throw std::invalid_argument(std::string(field) + ": " + std::string(reason));
}

// The value as it appears in the file, shortened so a huge value cannot
// flood an error message.
std::string shown(const json& value) {
    std::string text = value.dump();
    if (text.size() > 60) {
        text = text.substr(0, 57) + "...";
    }
    return text;
}

bool read_bool(const json& value, std::string_view field) {
    if (!value.is_boolean()) {
        fail(field, "must be true or false, got " + shown(value));
    }
    return value.get<bool>();
}

std::uint64_t read_uint(const json& value, std::string_view field, std::uint64_t min,
                        std::uint64_t max) {
    if (!value.is_number_integer() ||
        (!value.is_number_unsigned() && value.get<std::int64_t>() < 0)) {
        fail(field, "must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                        "], got " + shown(value));
    }
    const auto v = value.get<std::uint64_t>();
    if (v < min || v > max) {
        fail(field, "must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                        "], got " + shown(value));
    }
    return v;
}

std::string read_string(const json& value, std::string_view field) {
    if (!value.is_string()) {
        fail(field, "must be a string, got " + shown(value));
    }
    return value.get<std::string>();
}

int read_choice(const json& value, std::string_view field, int a, int b) {
    if (!value.is_number_integer() ||
        (value.get<std::int64_t>() != a && value.get<std::int64_t>() != b)) {
        fail(field,
             "must be " + std::to_string(a) + " or " + std::to_string(b) + ", got " + shown(value));
    }
    return value.get<int>();
}

std::optional<std::string> read_secret(const json& value, std::string_view field) {
    if (value.is_null()) {
        return std::nullopt;
    }
    const std::string spec = read_string(value, field);
    std::string token;
    try {
        token = load_secret(spec);
    } catch (const std::exception& e) {
        fail(field, e.what());  // names the source, never the value
    }
    if (token.empty()) {
        fail(field, "the secret is empty");
    }
    return token;
}

constexpr std::array kFields = {
    "dialect",         "require_precondition", "busy_window_ms",
    "conflict_status", "weak_etags",           "lenient_weak_match",
    "etag_style",      "etag_scheme",          "version_pointer",
    "deleted_status",  "body_limit_bytes",     "max_json_depth",
    "history_limit",   "page_limit_default",   "page_limit_max",
    "alerts_limit",    "store_shards",         "seed",
    "resource_token",  "admin_token",          "throttle",
    "fault_rules",
};

}  // namespace

std::string_view dialect_name(Dialect dialect) noexcept {
    return dialect == Dialect::body_version ? "body-version" : "if-match";
}

CoreOptions parse_core_options(const json& doc) {
    if (!doc.is_object()) {
        fail("(config)", "must be a JSON object, got " + shown(doc));
    }
    for (const auto& [key, value] : doc.items()) {
        if (std::find(kFields.begin(), kFields.end(), key) == kFields.end()) {
            fail(key, "unknown field");
        }
    }
    CoreOptions o;
    bool busy_shorthand = false;
    if (auto it = doc.find("dialect"); it != doc.end()) {
        const std::string name = it->is_string() ? it->get<std::string>() : std::string();
        if (name == "if-match") {
            o.dialect = Dialect::if_match;
        } else if (name == "body-version") {
            o.dialect = Dialect::body_version;
        } else if (name == "require-precondition") {
            o.require_precondition = true;
        } else if (name == "busy-window") {
            busy_shorthand = true;
        } else {
            fail("dialect",
                 "must be one of if-match, body-version, require-precondition, busy-window; got " +
                     shown(*it));
        }
    }
    if (auto it = doc.find("require_precondition"); it != doc.end()) {
        o.require_precondition = read_bool(*it, "require_precondition") || o.require_precondition;
    }
    if (auto it = doc.find("busy_window_ms"); it != doc.end()) {
        o.busy_window = std::chrono::milliseconds(
            read_uint(*it, "busy_window_ms", busy_shorthand ? 1 : 0, 3'600'000));
    } else if (busy_shorthand) {
        o.busy_window = std::chrono::milliseconds(100);
    }
    if (auto it = doc.find("conflict_status"); it != doc.end()) {
        o.conflict_status = read_choice(*it, "conflict_status", 412, 409);
    }
    if (auto it = doc.find("etag_style"); it != doc.end()) {
        const auto style = etag_style_from_name(it->is_string() ? it->get<std::string>() : "");
        if (!style) {
            fail("etag_style", "must be one of strong, weak, unquoted; got " + shown(*it));
        }
        o.etag_style = *style;
    }
    if (auto it = doc.find("weak_etags"); it != doc.end()) {
        o.weak_etags = read_bool(*it, "weak_etags");
        if (o.weak_etags && doc.contains("etag_style") && o.etag_style != EtagStyle::weak) {
            fail("weak_etags", "true conflicts with etag_style " + shown(doc["etag_style"]));
        }
    }
    if (auto it = doc.find("lenient_weak_match"); it != doc.end()) {
        o.lenient_weak_match = read_bool(*it, "lenient_weak_match");
    }
    if (auto it = doc.find("etag_scheme"); it != doc.end()) {
        const auto scheme = etag_scheme_from_name(it->is_string() ? it->get<std::string>() : "");
        if (!scheme) {
            fail("etag_scheme", "must be one of counter, hash, uuid; got " + shown(*it));
        }
        o.etag_scheme = *scheme;
    }
    if (auto it = doc.find("version_pointer"); it != doc.end()) {
        o.version_pointer = read_string(*it, "version_pointer");
        if (o.version_pointer.empty()) {
            fail("version_pointer", "must name a member (e.g. \"/version\"), got \"\"");
        }
        try {
            json::json_pointer pointer(o.version_pointer);
        } catch (const json::exception&) {
            fail("version_pointer",
                 "must be a JSON pointer (RFC 6901) such as \"/_rev\", got " + shown(*it));
        }
    }
    if (auto it = doc.find("deleted_status"); it != doc.end()) {
        o.deleted_status = read_choice(*it, "deleted_status", 404, 410);
    }
    if (auto it = doc.find("body_limit_bytes"); it != doc.end()) {
        o.body_limit_bytes = read_uint(*it, "body_limit_bytes", 1, 1024ULL * 1024 * 1024);
    }
    if (auto it = doc.find("max_json_depth"); it != doc.end()) {
        o.max_json_depth = read_uint(*it, "max_json_depth", 1, 10'000);
    }
    if (auto it = doc.find("history_limit"); it != doc.end()) {
        o.history_limit = read_uint(*it, "history_limit", 1, 10'000'000);
    }
    if (auto it = doc.find("page_limit_max"); it != doc.end()) {
        o.page_limit_max = read_uint(*it, "page_limit_max", 1, 100'000);
    }
    if (auto it = doc.find("page_limit_default"); it != doc.end()) {
        o.page_limit_default = read_uint(*it, "page_limit_default", 1, o.page_limit_max);
    } else {
        o.page_limit_default = std::min(o.page_limit_default, o.page_limit_max);
    }
    if (auto it = doc.find("alerts_limit"); it != doc.end()) {
        o.alerts_limit = read_uint(*it, "alerts_limit", 1, 1'000'000);
    }
    if (auto it = doc.find("store_shards"); it != doc.end()) {
        o.store_shards = read_uint(*it, "store_shards", 1, 4096);
    }
    if (auto it = doc.find("seed"); it != doc.end()) {
        o.seed = read_uint(*it, "seed", 0, UINT64_MAX);
    }
    if (auto it = doc.find("resource_token"); it != doc.end()) {
        o.resource_token = read_secret(*it, "resource_token");
    }
    if (auto it = doc.find("admin_token"); it != doc.end()) {
        o.admin_token = read_secret(*it, "admin_token");
    }
    if (auto it = doc.find("throttle"); it != doc.end()) {
        try {
            o.throttle = parse_throttle_options(*it);
        } catch (const std::invalid_argument& e) {
            fail("throttle", e.what());
        }
    }
    if (auto it = doc.find("fault_rules"); it != doc.end() && !it->is_null()) {
        try {
            (void)parse_fault_rules(*it);  // validate now; installed by ServerCore
        } catch (const std::invalid_argument& e) {
            fail("fault_rules", e.what());
        }
        o.fault_rules = *it;
    }
    return o;
}

json to_json(const CoreOptions& o) {
    json out = {
        {"dialect", dialect_name(o.dialect)},
        {"require_precondition", o.require_precondition},
        {"busy_window_ms", o.busy_window.count()},
        {"conflict_status", o.conflict_status},
        {"weak_etags", o.weak_etags},
        {"lenient_weak_match", o.lenient_weak_match},
        {"etag_style", etag_style_name(o.effective_etag_style())},
        {"etag_scheme", etag_scheme_name(o.etag_scheme)},
        {"version_pointer", o.version_pointer},
        {"deleted_status", o.deleted_status},
        {"body_limit_bytes", o.body_limit_bytes},
        {"max_json_depth", o.max_json_depth},
        {"history_limit", o.history_limit},
        {"page_limit_default", o.page_limit_default},
        {"page_limit_max", o.page_limit_max},
        {"alerts_limit", o.alerts_limit},
        {"store_shards", o.store_shards},
        {"seed", o.seed},
        {"throttle", to_json(o.throttle)},
        {"fault_rules", o.fault_rules},
    };
    // Redacted, never the value: this JSON goes into logs and result files.
    out["resource_token"] = o.resource_token ? json(kRedacted) : json(nullptr);
    out["admin_token"] = o.admin_token ? json(kRedacted) : json(nullptr);
    return out;
}

}  // namespace conflictlab::mock
