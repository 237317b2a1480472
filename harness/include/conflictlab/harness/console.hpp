#pragma once
// What `conflictlab run` prints for people: a progress display while the run
// goes (a redrawn bar on a terminal, a plain line every few seconds
// otherwise, so CI logs stay readable) and a one-screen summary at the end
// with the verdict line. docs/harness.md "Console output" shows an example.
//
// Thread-safety: Progress is driven by one thread (the runner's monitor);
// the render functions are pure.

#include <cstdint>
#include <cstdio>
#include <string>

#include "conflictlab/harness/results.hpp"

namespace conflictlab::harness {

// A snapshot of a run in progress.
struct ProgressSample {
    double elapsed_s = 0;
    std::uint64_t completed = 0;  // ops finished
    std::uint64_t planned = 0;    // ops planned; 0 when the run is time-bound
    double duration_s = 0;        // time-bound runs: planned duration
    std::uint64_t acknowledged = 0;
    std::uint64_t failed = 0;
    std::uint64_t conflicts = 0;
    std::uint64_t in_flight = 0;
};

// One progress line (no newline), e.g.
// "[#########...........]  45%  4500/10000 ops  1520 ack/s  failed 0  conflicts 812  in-flight
// 64  3.0s" `width` is the bar's character count (0: no bar).
std::string render_progress(const ProgressSample& sample, int width);

class Progress {
  public:
    // `tty`: redraw one line with '\r'; otherwise print a line every
    // `plain_interval_s` seconds. `out` is borrowed.
    Progress(std::FILE* out, bool tty, double plain_interval_s = 5.0);
    void update(const ProgressSample& sample);
    // Clears the bar (tty) so the summary starts on a clean line.
    void finish();

  private:
    std::FILE* out_;
    bool tty_;
    double interval_s_;
    double last_print_s_ = -1e9;
    bool drawn_ = false;
};

// The one-screen summary: header (scenario, seed, target, writers),
// outcomes, paths, latency percentiles, goodput, attempts, conflicts, server
// statuses, per-group lines, the checker verdict, expectations, and the
// final verdict line "PASS" / "FAIL: <failed expectations>" followed by the
// reproduce command. Ends with a newline.
std::string render_summary(const RunResult& result);

// "PASS" or "FAIL: <text> (measured <v>); ..." on one line.
std::string verdict_line(const RunResult& result);

}  // namespace conflictlab::harness
