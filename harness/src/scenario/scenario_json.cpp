// to_json(Scenario): the normalised scenario (every default filled in) with
// the names parse_scenario reads, so parse_scenario(to_json(s).dump()) gives
// back s. Fields that only apply to another kind/distribution are left out,
// because the parser rejects them there.

#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness {

using nlohmann::json;

namespace {

json target_json(const TargetSpec& t) {
    if (t.kind == TargetKind::embedded) {
        return {{"kind", "embedded"}, {"server", t.server}, {"server_threads", t.server_threads}};
    }
    json j = {{"kind", "external"}, {"url", t.url}};
    if (!t.token.empty()) {
        j["token"] = t.token;  // a reference ("env:..."), never a secret
    }
    if (!t.admin_token.empty()) {
        j["admin_token"] = t.admin_token;
    }
    if (t.url.starts_with("https://")) {
        if (!t.ca_file.empty()) {
            j["ca_file"] = t.ca_file;
        }
        j["insecure_skip_verify"] = t.insecure_skip_verify;
    }
    return j;
}

json keys_json(const KeySpec& k) {
    switch (k.distribution) {
        case KeyDistribution::uniform:
            return {{"distribution", "uniform"}};
        case KeyDistribution::zipf:
            return {{"distribution", "zipf"}, {"zipf_exponent", k.zipf_exponent}};
        case KeyDistribution::hot:
            return {{"distribution", "hot"},
                    {"hot_fraction", k.hot_fraction},
                    {"hot_keys", k.hot_keys}};
        case KeyDistribution::owned:
            return {{"distribution", "owned"}};
    }
    return json::object();
}

json workload_json(const WorkloadSpec& w) {
    json j = {{"kind", workload_kind_name(w.kind)},
              {"resources", w.resources},
              {"resource_prefix", w.resource_prefix},
              {"keys", keys_json(w.keys)},
              {"patch_fraction", w.patch_fraction},
              {"timestamp_skew_ms", w.timestamp_skew_ms},
              {"think_time_ms", w.think_time_ms},
              {"simultaneous_pairs", w.simultaneous_pairs},
              {"read_before_write",
               w.read_before_write == ReadBeforeWrite::always ? "always" : "unless-known"}};
    if (w.duration_s) {
        j["duration_s"] = *w.duration_s;
    } else if (w.ops_per_writer) {
        j["ops_per_writer"] = *w.ops_per_writer;
    }
    if (w.kind == WorkloadKind::register_lww || w.kind == WorkloadKind::overlapping_fields) {
        j["fields"] = w.fields;
    }
    return j;
}

}  // namespace

json to_json(const Scenario& s) {
    json groups = json::array();
    for (const auto& g : s.groups) {
        groups.push_back(
            {{"name", g.name}, {"writers", g.writers}, {"policy", engine::to_json(g.policy)}});
    }
    return {
        {"name", s.name},
        {"description", s.description},
        {"seed", s.seed},
        {"mode", s.mode == RunMode::real ? "real" : "sim"},
        {"target", target_json(s.target)},
        {"workload", workload_json(s.workload)},
        {"groups", groups},
        {"client", {{"threads", s.client.threads}, {"max_connections", s.client.max_connections}}},
        {"expect", s.expect},
        {"sim", s.sim},
    };
}

}  // namespace conflictlab::harness
