// "workload": what each writer does, on which keys, for how long.
// docs/scenarios.md "workload".

#include <cctype>

#include "field_reader.hpp"
#include "sections.hpp"

namespace conflictlab::harness::detail {

using nlohmann::json;

namespace {

constexpr int kMaxResources = 1'000'000;
constexpr int kMaxOpsPerWriter = 1'000'000;
constexpr double kMaxDurationS = 3600.0;
constexpr int kMaxFields = 64;
constexpr std::int64_t kMaxSkewMs = 86'400'000;      // a day
constexpr std::int64_t kMaxThinkTimeMs = 3'600'000;  // an hour
constexpr double kMaxZipfExponent = 100.0;
constexpr std::size_t kMaxPrefixChars = 64;

std::string allowed_kinds() {
    std::string out;
    for (auto k : {WorkloadKind::set_add, WorkloadKind::register_lww, WorkloadKind::disjoint_fields,
                   WorkloadKind::overlapping_fields, WorkloadKind::blind}) {
        if (!out.empty()) {
            out += ", ";
        }
        out += workload_kind_name(k);
    }
    return out;
}

bool uses_fields(WorkloadKind k) {
    return k == WorkloadKind::register_lww || k == WorkloadKind::overlapping_fields;
}

// Resource ids are <prefix><index> and go into URL paths: unreserved
// characters (RFC 3986) keep them identical encoded or not.
bool is_unreserved(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

KeySpec read_keys(const json& j, int resources, int total_writers, std::string_view source) {
    KeySpec k;
    FieldReader r(j, "workload.keys", source);
    r.allow({"distribution", "zipf_exponent", "hot_fraction", "hot_keys"});
    std::size_t dist = 0;
    r.read_choice("distribution", dist, {"uniform", "zipf", "hot", "owned"});
    constexpr KeyDistribution kByIndex[] = {KeyDistribution::uniform, KeyDistribution::zipf,
                                            KeyDistribution::hot, KeyDistribution::owned};
    k.distribution = kByIndex[dist];
    if (k.distribution == KeyDistribution::owned && resources < total_writers) {
        r.fail_at("distribution",
                  "\"owned\" gives every writer its own resources: needs "
                  "workload.resources >= writers (" +
                      std::to_string(resources) + " < " + std::to_string(total_writers) + ")");
    }
    const bool zipf = k.distribution == KeyDistribution::zipf;
    const bool hot = k.distribution == KeyDistribution::hot;
    if (r.read_double("zipf_exponent", k.zipf_exponent, 0.0, kMaxZipfExponent, true) && !zipf) {
        r.fail_at("zipf_exponent", "only for distribution \"zipf\"");
    }
    if (r.read_double("hot_fraction", k.hot_fraction, 0.0, 1.0) && !hot) {
        r.fail_at("hot_fraction", "only for distribution \"hot\"");
    }
    if (r.read_int("hot_keys", k.hot_keys, 1, kMaxResources)) {
        if (!hot) {
            r.fail_at("hot_keys", "only for distribution \"hot\"");
        }
        if (k.hot_keys > resources) {
            r.fail_at("hot_keys", "must be between 1 and workload.resources (" +
                                      std::to_string(resources) + ") (got " +
                                      std::to_string(k.hot_keys) + ")");
        }
    }
    r.finish();
    return k;
}

}  // namespace

WorkloadSpec read_workload(const json& j, int total_writers, std::string_view source) {
    WorkloadSpec w;
    FieldReader r(j, "workload", source);
    r.allow({"kind", "resources", "resource_prefix", "keys", "ops_per_writer", "duration_s",
             "patch_fraction", "fields", "timestamp_skew_ms", "think_time_ms", "simultaneous_pairs",
             "read_before_write"});
    if (const json* kind = r.get("kind")) {
        if (!kind->is_string()) {
            r.fail_at("kind",
                      "expected one of " + allowed_kinds() + " (got " + describe(*kind) + ")");
        }
        auto k = parse_workload_kind(kind->get_ref<const std::string&>());
        if (!k) {
            r.fail_at("kind",
                      "unknown value " + kind->dump() + " (allowed: " + allowed_kinds() + ")");
        }
        w.kind = *k;
    }
    r.read_int("resources", w.resources, 1, kMaxResources);
    if (r.read_string("resource_prefix", w.resource_prefix)) {
        bool ok = w.resource_prefix.size() <= kMaxPrefixChars;
        for (char c : w.resource_prefix) {
            ok = ok && is_unreserved(c);
        }
        if (!ok) {
            r.fail_at("resource_prefix", "at most " + std::to_string(kMaxPrefixChars) +
                                             " letters, digits, '-', '.', '_' or '~' (got " +
                                             json(w.resource_prefix).dump() + ")");
        }
    }
    // keys after resources: hot_keys is bounded by it.
    if (const json* keys = r.get("keys")) {
        w.keys = read_keys(*keys, w.resources, total_writers, source);
    }

    int ops = 0;
    bool has_ops = r.read_int("ops_per_writer", ops, 1, kMaxOpsPerWriter);
    double duration = 0;
    bool has_duration = r.read_double("duration_s", duration, 0.0, kMaxDurationS, true);
    if (has_ops && has_duration) {
        r.fail_at("duration_s",
                  "give either ops_per_writer or duration_s, not both (each bounds the run)");
    }
    if (has_ops) {
        w.ops_per_writer = ops;
    }
    if (has_duration) {
        w.duration_s = duration;
        w.ops_per_writer.reset();
    }

    r.read_double("patch_fraction", w.patch_fraction, 0.0, 1.0);
    if (r.read_int("fields", w.fields, 1, kMaxFields) && !uses_fields(w.kind)) {
        r.fail_at("fields", "only for kinds register and overlapping-fields (kind is \"" +
                                std::string(workload_kind_name(w.kind)) + "\")");
    }
    r.read_int("timestamp_skew_ms", w.timestamp_skew_ms, 0, kMaxSkewMs);
    r.read_int("think_time_ms", w.think_time_ms, 0, kMaxThinkTimeMs);
    if (r.read_bool("simultaneous_pairs", w.simultaneous_pairs) && w.simultaneous_pairs &&
        total_writers < 2) {
        r.fail_at("simultaneous_pairs",
                  "needs at least 2 writers (got " + std::to_string(total_writers) + ")");
    }
    std::size_t read_mode = 0;
    if (r.read_choice("read_before_write", read_mode, {"always", "unless-known"})) {
        w.read_before_write =
            read_mode == 0 ? ReadBeforeWrite::always : ReadBeforeWrite::unless_known;
    }
    r.finish();
    return w;
}

}  // namespace conflictlab::harness::detail
