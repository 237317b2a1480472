#include "conflictlab/harness/sweep.hpp"

#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "conflictlab/engine/backoff.hpp"

namespace conflictlab::harness {

namespace {

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos)
        return {};
    const auto e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

long long parse_int(const std::string& key, const std::string& value, long long lo, long long hi) {
    std::size_t used = 0;
    long long v = 0;
    try {
        v = std::stoll(value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != value.size() || value.empty() || v < lo || v > hi) {
        throw std::invalid_argument("--vary " + key + ": must be an integer between " +
                                    std::to_string(lo) + " and " + std::to_string(hi) + " (got \"" +
                                    value + "\")");
    }
    return v;
}

// A --vary value as JSON: numbers, booleans, null, quoted strings and
// objects as written; anything else as a plain string.
nlohmann::json value_json(const std::string& value) {
    auto j = nlohmann::json::parse(value, nullptr, false);
    if (j.is_discarded())
        return value;
    return j;
}

void set_path(nlohmann::json& doc, const std::string& dotted, nlohmann::json value) {
    nlohmann::json* node = &doc;
    std::size_t start = 0;
    while (true) {
        const auto dot = dotted.find('.', start);
        const std::string part = dotted.substr(start, dot - start);
        if (part.empty())
            throw std::invalid_argument("empty field name in \"" + dotted + "\"");
        if (dot == std::string::npos) {
            (*node)[part] = std::move(value);
            return;
        }
        nlohmann::json& child = (*node)[part];
        if (!child.is_object())
            child = nlohmann::json::object();
        node = &child;
        start = dot + 1;
    }
}

void for_each_policy(Scenario& s, const std::function<void(engine::Policy&)>& fn) {
    for (auto& g : s.groups)
        fn(g.policy);
}

void apply_writers(Scenario& s, int total) {
    if (s.groups.size() == 1) {
        s.groups[0].writers = total;
        return;
    }
    if (total < static_cast<int>(s.groups.size())) {
        throw std::invalid_argument("--vary writers: " + std::to_string(total) +
                                    " writers cannot fill " + std::to_string(s.groups.size()) +
                                    " groups");
    }
    const int old_total = s.total_writers();
    int assigned = 0;
    for (std::size_t i = 0; i < s.groups.size(); ++i) {
        int n = static_cast<int>(
            std::lround(static_cast<double>(total) * s.groups[i].writers / std::max(1, old_total)));
        n = std::max(1, n);
        if (i + 1 == s.groups.size())
            n = std::max(1, total - assigned);
        s.groups[i].writers = n;
        assigned += n;
    }
}

void apply_one(Scenario& s, const std::string& key, const std::string& value) {
    if (key == "backoff") {
        if (const auto kind = engine::parse_backoff_kind(value)) {
            for_each_policy(s, [&](engine::Policy& p) { p.backoff.kind = *kind; });
            return;
        }
        if (const auto preset = engine::find_backoff_preset(value)) {
            for_each_policy(s, [&](engine::Policy& p) {
                p.backoff = preset->options;
                p.max_attempts = preset->max_attempts;
            });
            return;
        }
        throw std::invalid_argument(
            "--vary backoff: unknown value \"" + value +
            "\" (expected a kind: none, constant, exponential, full-jitter, equal-jitter, "
            "decorrelated-jitter; or a preset: aws-standard, k8s-client-go)");
    }
    if (key == "writers") {
        apply_writers(s, static_cast<int>(parse_int(key, value, 1, 10000)));
        return;
    }
    if (key == "max_attempts") {
        const int n = static_cast<int>(parse_int(key, value, 1, 1000));
        for_each_policy(s, [&](engine::Policy& p) { p.max_attempts = n; });
        return;
    }
    if (key == "base_ms" || key == "cap_ms") {
        const auto ms = parse_int(key, value, 0, 3'600'000);
        for_each_policy(s, [&](engine::Policy& p) {
            (key == "base_ms" ? p.backoff.base_ms : p.backoff.cap_ms) = ms;
        });
        return;
    }
    if (key == "strategy") {
        engine::Strategy strategy;
        if (value == "merge") {
            strategy = engine::Strategy::merge;
        } else if (value == "overwrite") {
            strategy = engine::Strategy::overwrite;
        } else {
            throw std::invalid_argument("--vary strategy: unknown value \"" + value +
                                        "\" (allowed: overwrite, merge)");
        }
        for_each_policy(s, [&](engine::Policy& p) { p.strategy = strategy; });
        return;
    }
    if (key == "resources") {
        s.workload.resources = static_cast<int>(parse_int(key, value, 1, 1'000'000));
        if (s.workload.keys.hot_keys > s.workload.resources) {
            s.workload.keys.hot_keys = s.workload.resources;
        }
        return;
    }
    if (key.rfind("policy.", 0) == 0) {
        const std::string field = key.substr(7);
        for_each_policy(s, [&](engine::Policy& p) {
            nlohmann::json j = engine::to_json(p);
            set_path(j, field, value_json(value));
            try {
                p = engine::policy_from_json(j);
            } catch (const std::exception& e) {
                throw std::invalid_argument("--vary " + key + ": " + e.what());
            }
        });
        return;
    }
    if (key.rfind("workload.", 0) == 0) {
        const std::string field = key.substr(9);
        nlohmann::json j = to_json(s);
        nlohmann::json& w = j["workload"];
        // The two bounds exclude each other: varying one replaces the other.
        if (field == "duration_s")
            w.erase("ops_per_writer");
        if (field == "ops_per_writer")
            w.erase("duration_s");
        set_path(w, field, value_json(value));
        try {
            Scenario changed = parse_scenario(j.dump(), "--vary " + key);
            s.workload = changed.workload;
        } catch (const std::exception& e) {
            throw std::invalid_argument(e.what());
        }
        return;
    }
    if (key.rfind("sim.", 0) == 0) {
        // The simulator's model (docs/sim.md); checked when the model is read.
        if (!s.sim.is_object())
            s.sim = nlohmann::json::object();
        set_path(s.sim, key.substr(4), value_json(value));
        return;
    }
    throw std::invalid_argument(
        "--vary " + key +
        ": unknown key (allowed: backoff, writers, max_attempts, strategy, resources, base_ms, "
        "cap_ms, policy.<field>, workload.<field>, sim.<field>)");
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::uint64_t failed_count(const RunResult& r) {
    const auto it = r.total.outcomes.find("failed");
    return it == r.total.outcomes.end() ? 0 : it->second;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

VaryAxis parse_vary(std::string_view text) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) {
        throw std::invalid_argument("--vary " + std::string(text) +
                                    ": expected KEY=V1,V2,... (e.g. backoff=full-jitter,none)");
    }
    VaryAxis axis;
    axis.key = trim(text.substr(0, eq));
    if (axis.key.empty())
        throw std::invalid_argument("--vary " + std::string(text) + ": empty key");
    std::string_view rest = text.substr(eq + 1);
    while (true) {
        const auto comma = rest.find(',');
        std::string v = trim(rest.substr(0, comma));
        if (v.empty()) {
            throw std::invalid_argument("--vary " + axis.key + ": empty value in \"" +
                                        std::string(text.substr(eq + 1)) + "\"");
        }
        axis.values.push_back(std::move(v));
        if (comma == std::string_view::npos)
            break;
        rest = rest.substr(comma + 1);
    }
    return axis;
}

std::vector<Setting> expand_grid(const std::vector<VaryAxis>& axes, std::size_t limit) {
    std::vector<Setting> grid{Setting{}};
    for (const auto& axis : axes) {
        std::vector<Setting> next;
        for (const auto& partial : grid) {
            for (const auto& v : axis.values) {
                Setting s = partial;
                s.emplace_back(axis.key, v);
                next.push_back(std::move(s));
                if (next.size() > limit) {
                    throw std::invalid_argument("--vary: the grid has more than " +
                                                std::to_string(limit) + " runs");
                }
            }
        }
        grid = std::move(next);
    }
    return grid;
}

Scenario apply_setting(const Scenario& scenario, const Setting& setting) {
    Scenario s = scenario;
    for (const auto& [key, value] : setting)
        apply_one(s, key, value);
    return s;
}

std::string render_sweep_table(const std::vector<VaryAxis>& axes,
                               const std::vector<SweepRow>& rows) {
    std::vector<std::string> header;
    for (const auto& a : axes)
        header.push_back(a.key);
    for (const char* h : {"goodput/s", "calls/success", "p99 ms", "Failed", "lost", "verdict"}) {
        header.emplace_back(h);
    }
    std::vector<std::vector<std::string>> cells;
    for (const auto& row : rows) {
        std::vector<std::string> line;
        for (const auto& [k, v] : row.setting)
            line.push_back(v);
        const RunResult& r = row.result;
        line.push_back(fmt("%.1f", r.total.goodput_per_s));
        line.push_back(fmt("%.2f", r.total.calls_per_success));
        line.push_back(fmt("%.2f", r.total.latency.p99_ms));
        line.push_back(std::to_string(failed_count(r)));
        line.push_back(std::to_string(r.check.lost_updates));
        line.push_back(r.passed() ? "PASS" : "FAIL");
        cells.push_back(std::move(line));
    }
    std::vector<std::size_t> width(header.size(), 0);
    for (std::size_t i = 0; i < header.size(); ++i)
        width[i] = header[i].size();
    for (const auto& line : cells) {
        for (std::size_t i = 0; i < line.size() && i < width.size(); ++i) {
            width[i] = std::max(width[i], line[i].size());
        }
    }
    std::ostringstream out;
    const auto emit = [&](const std::vector<std::string>& line) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            const bool numeric = i >= axes.size() && i + 1 < line.size();
            const std::string pad(width[i] - line[i].size(), ' ');
            out << (i ? "  " : "") << (numeric ? pad + line[i] : line[i] + pad);
        }
        out << "\n";
    };
    emit(header);
    for (const auto& line : cells)
        emit(line);
    return out.str();
}

std::string render_sweep_csv(const std::vector<VaryAxis>& axes, const std::vector<SweepRow>& rows) {
    std::ostringstream out;
    for (const auto& a : axes)
        out << csv_field(a.key) << ",";
    out << "seed,goodput_per_s,calls_per_success,attempts_per_update,conflict_rate,p50_ms,p99_ms,"
           "max_ms,ops,failed,lost_updates,passed\n";
    for (const auto& row : rows) {
        for (const auto& [k, v] : row.setting)
            out << csv_field(v) << ",";
        const RunResult& r = row.result;
        out << r.seed << "," << fmt("%.3f", r.total.goodput_per_s) << ","
            << fmt("%.3f", r.total.calls_per_success) << ","
            << fmt("%.3f", r.total.attempts_per_update) << "," << fmt("%.4f", r.total.conflict_rate)
            << "," << fmt("%.3f", r.total.latency.p50_ms) << ","
            << fmt("%.3f", r.total.latency.p99_ms) << "," << fmt("%.3f", r.total.latency.max_ms)
            << "," << r.total.ops << "," << failed_count(r) << "," << r.check.lost_updates << ","
            << (r.passed() ? "true" : "false") << "\n";
    }
    return out.str();
}

nlohmann::json sweep_json(const std::string& scenario_file, const std::vector<VaryAxis>& axes,
                          const std::vector<SweepRow>& rows) {
    nlohmann::json jaxes = nlohmann::json::array();
    for (const auto& a : axes)
        jaxes.push_back({{"key", a.key}, {"values", a.values}});
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& row : rows) {
        nlohmann::json setting = nlohmann::json::object();
        for (const auto& [k, v] : row.setting)
            setting[k] = v;
        runs.push_back({{"setting", setting},
                        {"seed", row.result.seed},
                        {"passed", row.result.passed()},
                        {"errors", row.result.errors},
                        {"metrics", metrics_json(row.result)},
                        {"reproduce", row.result.reproduce}});
    }
    return {{"format", "conflictlab-sweep/1"},
            {"scenario_file", scenario_file},
            {"axes", jaxes},
            {"runs", runs}};
}

}  // namespace conflictlab::harness
