#pragma once
// The sections of a scenario document, one reader per section, so each file
// of the parser holds one part of docs/scenarios.md.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness::detail {

// "target": the system under test. `mode` decides what is allowed (sim runs
// only embedded targets).
TargetSpec read_target(const nlohmann::json& j, RunMode mode, std::string_view source);

// "workload": what each writer does. `total_writers` bounds nothing here but
// is needed for simultaneous_pairs.
WorkloadSpec read_workload(const nlohmann::json& j, int total_writers, std::string_view source);

// The problem with a base URL, or "" when it is a valid http(s) URL. Never
// echoes the URL (it may carry credentials).
std::string base_url_problem(std::string_view url);

// The problem with a secret reference, or "" for "env:NAME" / "file:PATH".
// Never echoes the value.
std::string secret_ref_problem(std::string_view spec);

// Letters, digits, '-', '_', '.', 1..max_chars: names that end up in file
// names, JUnit test names and metric paths.
bool is_simple_name(std::string_view name, std::size_t max_chars) noexcept;

}  // namespace conflictlab::harness::detail
