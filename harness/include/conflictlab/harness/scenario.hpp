#pragma once
// Scenario: one run described as data (a JSON file, comments allowed). The
// parser validates everything up front and reports the first problem as
// "<field path>: <problem> (got <value>; allowed: ...)", so nothing runs on a
// bad file. docs/scenarios.md documents every field.
//
// Thread-safety: values.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/engine/policy.hpp"
#include "conflictlab/harness/expectations.hpp"
#include "conflictlab/harness/history.hpp"

namespace conflictlab::harness {

enum class RunMode { real, sim };
enum class TargetKind { embedded, external };
// owned: writer k writes only resources k, k + W, k + 2W... (W writers):
// no two writers ever meet, the contention-free baseline.
enum class KeyDistribution { uniform, zipf, hot, owned };
// Whether a writer reads a resource before each write to it.
enum class ReadBeforeWrite {
    always,        // GET, then the conditional write built on what it read
    unless_known,  // skip the GET when the writer's own last write there
                   // told it the state and token (KnownStates)
};

struct TargetSpec {
    TargetKind kind = TargetKind::embedded;
    // external: base URL, e.g. "http://127.0.0.1:8080" (the mock server API
    // shape is expected: /resources/{id} and /_admin/history/{id} for checking).
    std::string url;
    // external: bearer token source ("env:NAME" or "file:PATH"); never a value.
    std::string token;
    std::string admin_token;
    // external https: CA file, or skip verification (self-signed test servers).
    std::string ca_file;
    bool insecure_skip_verify = false;
    // embedded: the mock server's options (CoreOptions JSON, see
    // docs/mock-server.md), including "faults" rules inline.
    nlohmann::json server = nlohmann::json::object();
    // embedded: server I/O threads.
    int server_threads = 1;
};

struct KeySpec {
    KeyDistribution distribution = KeyDistribution::uniform;
    double zipf_exponent = 1.0;  // zipf: P(k) ~ 1/k^s, s > 0
    double hot_fraction = 0.9;   // hot: share of ops that go to the hot keys
    int hot_keys = 1;            // hot: how many keys are hot (the first ones)
};

struct WorkloadSpec {
    WorkloadKind kind = WorkloadKind::set_add;
    int resources = 1;                   // 1..1,000,000
    std::string resource_prefix = "r-";  // ids are <prefix><index>
    KeySpec keys;
    // Exactly one of ops_per_writer / duration_s bounds the run.
    std::optional<int> ops_per_writer = 10;
    std::optional<double> duration_s;
    double patch_fraction = 0.0;  // share of ops sent as PATCH (0..1)
    int fields = 4;               // register/overlapping: fields per resource
    // Each writer's business clock is offset by U(-skew, +skew) ms.
    std::int64_t timestamp_skew_ms = 0;
    // Pause between a writer's ops (ms); 0 = closed loop.
    std::int64_t think_time_ms = 0;
    // The seed's failure test: writers start in pairs that send different
    // data for the same id at the same moment.
    bool simultaneous_pairs = false;
    // "unless-known" makes a writer start from the state its own last PUT
    // left, as a client that keeps the ETag of its last write does; a stale
    // memory costs a 412 and the engine's refetch, never correctness.
    ReadBeforeWrite read_before_write = ReadBeforeWrite::always;
};

struct WriterGroup {
    std::string name = "default";
    int writers = 1;  // 1..10,000 across all groups
    engine::Policy policy;
};

struct ClientSpec {
    int threads = 1;            // engine driver I/O threads
    int max_connections = 256;  // connection pool bound per host
};

struct Scenario {
    std::string name;
    std::string description;
    std::uint64_t seed = 1;
    RunMode mode = RunMode::real;
    TargetSpec target;
    WorkloadSpec workload;
    std::vector<WriterGroup> groups;  // at least one
    ClientSpec client;
    std::vector<std::string> expect;  // expectation expressions (expectations.hpp)
    // `expect`, parsed (same order): parse_scenario rejects a bad expression
    // before anything runs.
    std::vector<Expectation> expectations;
    nlohmann::json sim = nlohmann::json::object();  // sim-mode model parameters
    // The document as read (comments stripped), for the results file.
    nlohmann::json source = nlohmann::json::object();

    int total_writers() const;
};

// A bad scenario. what() is "<source>: <field>: <problem>", e.g.
// "quick.json: workload.keys.distribution: unknown value \"pareto\" (allowed:
// uniform, zipf, hot, owned)".
// field() is the path alone ("" for syntax errors and unreadable files).
class ScenarioError : public std::invalid_argument {
  public:
    // `message` is the whole what() text, source and field included.
    ScenarioError(std::string field, const std::string& message);
    const std::string& field() const noexcept { return field_; }

  private:
    std::string field_;
};

// Parses and validates. `source_name` prefixes messages (a file name).
// Unknown fields are errors; absent fields keep the defaults above.
Scenario parse_scenario(std::string_view text, std::string_view source_name);
Scenario load_scenario_file(const std::string& path);  // reads, then parse_scenario
nlohmann::json to_json(const Scenario& scenario);

}  // namespace conflictlab::harness
