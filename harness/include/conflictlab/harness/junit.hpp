#pragma once
// JUnit XML for CI (docs/harness.md "JUnit"): one <testsuite> per run with
// one <testcase> per expectation plus one for the lost-update checker (and
// one for run errors, when there were any). A failed case carries a
// <failure message="..."> with the measured value and the ops involved.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "conflictlab/harness/results.hpp"

namespace conflictlab::harness {

// Escapes text for XML 1.0 attribute values and character data: & < > " '
// become entities; characters XML 1.0 cannot carry at all (C0 controls but
// tab, LF, CR) become U+FFFD; invalid UTF-8 bytes become U+FFFD.
std::string xml_escape(std::string_view text);

// A complete document (<?xml ...?><testsuites>...) for one run.
std::string render_junit(const RunResult& result);
// One document for several runs (a sweep): one <testsuite> per run.
std::string render_junit(const std::vector<const RunResult*>& results);

}  // namespace conflictlab::harness
