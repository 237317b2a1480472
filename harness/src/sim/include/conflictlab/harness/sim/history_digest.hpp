#pragma once
// The canonical history of a run and its digest. The canonical history is
// text, one JSON object per line: first every operation record in the order
// the run reports them (op_id, writer_id, group, resource_id, intent,
// invoked_ns, completed_ns, and the outcome: kind, path, reason, detail,
// notes, method, attempts, conflicts, statuses, tokens, freshness, alert,
// started_ns, finished_ns, steps as [step, started_ns, finished_ns, status,
// error]), then one line per resource in id order with the server's version
// history (writes as [version, etag, replaced_etag, method, writer_id,
// op_id]) and final state. Keys come in that fixed order; times are integer
// nanoseconds. The digest is FNV-1a 64 over exactly those bytes, printed as
// "fnv1a64:<16 hex digits>"; `conflictlab sim --history FILE` writes them.
// In sim mode the same seed, scenario and build give the same bytes, hence
// the same digest; comparing digests is how a replay is verified (docs/sim.md
// "Determinism").
//
// Thread-safety: HistoryDigest is a value used by one thread; the functions
// are pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "conflictlab/harness/history.hpp"

namespace conflictlab::harness::sim {

// FNV-1a, 64-bit (offset basis 14695981039346656037, prime 1099511628211).
class Fnv1a64 {
  public:
    void update(std::string_view bytes) noexcept;
    std::uint64_t value() const noexcept { return h_; }
    // "fnv1a64:" + 16 lower-case hex digits.
    std::string hex() const;

  private:
    std::uint64_t h_ = 14695981039346656037ull;
};

// One line (with its '\n') of the canonical history.
std::string canonical_op_line(const OpRecord& op);
std::string canonical_resource_line(const ServerResource& resource);

}  // namespace conflictlab::harness::sim
