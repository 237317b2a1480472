#pragma once
// The names inside the runner's count maps that expectations may name:
// outcomes.<Kind>, reasons.<failure-reason>, paths.<path>,
// server.status.<code> (also under groups.<name>.). A count map lists only
// what happened, so an absent entry reads as 0; that is why parse_expectation
// checks the vocabulary of these names up front (a misspelt reason would
// otherwise pass "== 0" forever).
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

namespace conflictlab::harness::detail {

// "none, persistent-conflict, deleted, ..." (engine::failure_reason_name).
std::string failure_reason_list();

// "100".."599".
bool is_status_code(std::string_view text) noexcept;

// True when `segments` names one entry of a count map (see above), whose
// absence from the metrics means 0.
bool is_count_map_entry(const std::vector<std::string>& segments) noexcept;

}  // namespace conflictlab::harness::detail
