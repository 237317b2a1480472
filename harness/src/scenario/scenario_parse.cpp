// parse_scenario: the top level of a scenario document (name, seed, mode,
// groups, client, expect, sim) and the order sections are read in (groups
// before workload, mode before target). docs/scenarios.md.

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "conflictlab/harness/scenario.hpp"
#include "field_reader.hpp"
#include "sections.hpp"

namespace conflictlab::harness {

using nlohmann::json;

namespace {

constexpr int kMaxTotalWriters = 10'000;
constexpr std::size_t kMaxGroups = 100;
constexpr std::size_t kMaxExpectations = 200;
constexpr std::size_t kMaxNameChars = 128;
constexpr std::size_t kMaxGroupNameChars = 64;
constexpr int kMaxClientThreads = 64;
constexpr int kMaxConnections = 10'000;
constexpr std::streamoff kMaxFileBytes = 16 * 1024 * 1024;

using detail::FieldReader;

// engine::policy_from_json reads the object; its field paths ("policy.x")
// get the group's prefix ("groups[1].policy.x").
engine::Policy read_policy(const json& j, const std::string& prefix, std::string_view source) {
    try {
        return engine::policy_from_json(j);
    } catch (const engine::PolicyError& e) {
        std::string what = e.what();
        std::string lead = e.field() + ": ";
        std::string problem = what.starts_with(lead) ? what.substr(lead.size()) : what;
        detail::fail(source, prefix + e.field(), problem);
    }
}

WriterGroup read_group(const json& j, const std::string& path, bool name_required,
                       std::string_view source) {
    WriterGroup g;
    FieldReader r(j, path, source);
    r.allow({"name", "writers", "policy"});
    if (r.read_string("name", g.name)) {
        if (!detail::is_simple_name(g.name, kMaxGroupNameChars)) {
            r.fail_at("name", "1 to " + std::to_string(kMaxGroupNameChars) +
                                  " letters, digits, '-', '_' or '.' (got " + json(g.name).dump() +
                                  ")");
        }
    } else if (name_required) {
        r.fail_at("name",
                  "required when there is more than one group (names label the "
                  "policy comparison)");
    }
    r.read_int("writers", g.writers, 1, kMaxTotalWriters);
    if (const json* policy = r.get("policy")) {
        g.policy = read_policy(*policy, path + ".", source);
    }
    r.finish();
    return g;
}

std::vector<WriterGroup> read_groups(FieldReader& r) {
    const json* groups = r.get("groups");
    const json* writers = r.get("writers");
    const json* policy = r.get("policy");
    std::vector<WriterGroup> out;
    if (!groups) {
        if (!writers && !policy) {
            r.fail_at("groups",
                      "required: an array of writer groups (or top-level \"writers\" and "
                      "\"policy\" for a single group)");
        }
        // Shorthand: one group named "default".
        WriterGroup g;
        r.read_int("writers", g.writers, 1, kMaxTotalWriters);
        if (policy) {
            g.policy = read_policy(*policy, "", r.source());
        }
        out.push_back(std::move(g));
        return out;
    }
    for (const char* key : {"writers", "policy"}) {
        if (r.get(key)) {
            r.fail_at(key,
                      "not allowed together with \"groups\" (top-level writers and policy "
                      "are the shorthand for a single group)");
        }
    }
    if (!groups->is_array()) {
        r.fail_at("groups",
                  "expected an array of writer groups (got " + detail::describe(*groups) + ")");
    }
    if (groups->empty() || groups->size() > kMaxGroups) {
        r.fail_at("groups", "must have between 1 and " + std::to_string(kMaxGroups) +
                                " writer groups (got " + std::to_string(groups->size()) + ")");
    }
    int total = 0;
    for (std::size_t i = 0; i < groups->size(); ++i) {
        std::string path = "groups[" + std::to_string(i) + "]";
        out.push_back(read_group((*groups)[i], path, groups->size() > 1, r.source()));
        for (std::size_t k = 0; k < i; ++k) {
            if (out[k].name == out[i].name) {
                detail::fail(r.source(), path + ".name",
                             "duplicate group name " + json(out[i].name).dump() + " (also groups[" +
                                 std::to_string(k) + "])");
            }
        }
        total += out.back().writers;
    }
    if (total > kMaxTotalWriters) {
        r.fail_at("groups", "total writers must be between 1 and " +
                                std::to_string(kMaxTotalWriters) + " (got " +
                                std::to_string(total) + ")");
    }
    return out;
}

ClientSpec read_client(const json& j, std::string_view source) {
    ClientSpec c;
    FieldReader r(j, "client", source);
    r.allow({"threads", "max_connections"});
    r.read_int("threads", c.threads, 1, kMaxClientThreads);
    r.read_int("max_connections", c.max_connections, 1, kMaxConnections);
    return c;
}

void read_expect(FieldReader& r, Scenario& s) {
    const json* expect = r.get("expect");
    if (!expect) {
        return;
    }
    if (!expect->is_array()) {
        r.fail_at("expect", "expected an array of expression strings (got " +
                                detail::describe(*expect) + ")");
    }
    if (expect->size() > kMaxExpectations) {
        r.fail_at("expect", "at most " + std::to_string(kMaxExpectations) + " expectations (got " +
                                std::to_string(expect->size()) + ")");
    }
    for (std::size_t i = 0; i < expect->size(); ++i) {
        std::string path = "expect[" + std::to_string(i) + "]";
        std::string text = r.as_string((*expect)[i], path);
        try {
            s.expectations.push_back(parse_expectation(text));
        } catch (const std::invalid_argument& e) {
            detail::fail(r.source(), path, e.what());
        }
        s.expect.push_back(s.expectations.back().text);
    }
}

}  // namespace

namespace detail {

bool is_simple_name(std::string_view name, std::size_t max_chars) noexcept {
    if (name.empty() || name.size() > max_chars) {
        return false;
    }
    for (char c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') {
            return false;
        }
    }
    return true;
}

}  // namespace detail

ScenarioError::ScenarioError(std::string field, const std::string& message)
    : std::invalid_argument(message), field_(std::move(field)) {}

int Scenario::total_writers() const {
    int total = 0;
    for (const auto& g : groups) {
        total += g.writers;
    }
    return total;
}

Scenario parse_scenario(std::string_view text, std::string_view source_name) {
    Scenario s;
    s.source = detail::parse_document(text, source_name);
    FieldReader r(s.source, "", source_name);
    r.allow({"name", "description", "seed", "mode", "target", "workload", "groups", "writers",
             "policy", "client", "expect", "sim"});

    if (!r.read_string("name", s.name)) {
        r.fail_at("name", "required (e.g. \"hot-key-merge\")");
    }
    if (!detail::is_simple_name(s.name, kMaxNameChars)) {
        r.fail_at("name", "1 to " + std::to_string(kMaxNameChars) +
                              " letters, digits, '-', '_' or '.' (got " + json(s.name).dump() +
                              ")");
    }
    r.read_string("description", s.description);
    if (const json* seed = r.get("seed")) {
        if (!seed->is_number_integer()) {
            r.fail_at("seed", "expected an integer (got " + detail::describe(*seed) + ")");
        }
        if (!seed->is_number_unsigned()) {
            r.fail_at("seed",
                      "must be between 0 and 18446744073709551615 (got " + seed->dump() + ")");
        }
        s.seed = seed->get<std::uint64_t>();
    }
    std::size_t mode = 0;
    r.read_choice("mode", mode, {"real", "sim"});
    s.mode = mode == 0 ? RunMode::real : RunMode::sim;

    s.groups = read_groups(r);
    if (const json* target = r.get("target")) {
        s.target = detail::read_target(*target, s.mode, source_name);
    }
    if (const json* workload = r.get("workload")) {
        s.workload = detail::read_workload(*workload, s.total_writers(), source_name);
    }
    if (const json* client = r.get("client")) {
        s.client = read_client(*client, source_name);
    }
    read_expect(r, s);
    if (const json* sim = r.get("sim")) {
        // The simulator validates its model parameters when it starts.
        if (!sim->is_object()) {
            r.fail_at("sim", "expected an object (got " + detail::describe(*sim) + ")");
        }
        s.sim = *sim;
    }
    r.finish();
    return s;
}

Scenario load_scenario_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ScenarioError("", path + ": cannot read the file (" + std::strerror(errno) + ")");
    }
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    if (size > kMaxFileBytes) {
        throw ScenarioError("", path + ": file larger than " +
                                    std::to_string(kMaxFileBytes / (1024 * 1024)) +
                                    " MiB; a scenario is a small description");
    }
    in.seekg(0, std::ios::beg);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
        throw ScenarioError("", path + ": cannot read the file");
    }
    return parse_scenario(text.str(), path);
}

}  // namespace conflictlab::harness
