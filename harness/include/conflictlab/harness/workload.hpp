#pragma once
// Workload: deterministic generation of what the writers of a scenario do.
// Everything here is pure and seeded: the same scenario and seed give the
// same writers (ids, groups, child seeds, clock skews, pairs), the same key
// sequence per writer and the same update content for the same observed
// state. Only timing (and so interleaving) differs between real runs.
//
// Seeds: one top-level Xoshiro256 seeded with the run seed hands out one
// child seed per writer, in writer order (plan_writers). A writer's own
// generator then draws, per op, the key, the PUT/PATCH choice, the field
// and the seed of the engine RandomSource of that op's resolution.
//
// Body layouts per workload (docs/checker.md is the reference the checker
// verifies against):
//   set-add, blind      {"items": ["w0-0", "w3-1", ...]}
//   register            {"updated_at": T, "fields": {"f0": {"value": "<op id>",
//                        "ts": T}, ...}}: every op writes every field
//   disjoint-fields     {"fields": {"w0": "<op id>", "w1": ...}}
//   overlapping-fields  {"updated_at": T, "fields": {"f0": {"value": "<op id>",
//                        "ts": T}, ...}}: every op writes one field
//
// Thread-safety: KeyPicker and WorkloadModel are immutable after
// construction and may be shared; a WriterState belongs to one writer.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/engine/messages.hpp"
#include "conflictlab/engine/outcome.hpp"
#include "conflictlab/engine/policy.hpp"
#include "conflictlab/engine/random.hpp"
#include "conflictlab/engine/resolution.hpp"
#include "conflictlab/engine/update.hpp"
#include "conflictlab/harness/history.hpp"
#include "conflictlab/harness/scenario.hpp"

namespace conflictlab::harness {

// Picks resource indexes [0, resources) from a KeySpec distribution.
class KeyPicker {
  public:
    // REQUIRES: resources >= 1, and resources >= writers for the owned
    // distribution (the scenario parser guarantees both).
    KeyPicker(const KeySpec& spec, int resources, int writers = 1);
    // `owner`: the writer whose keys these are (owned distribution only).
    int pick(engine::RandomSource& random, int owner = 0) const;
    int resources() const noexcept { return resources_; }

  private:
    KeySpec spec_;
    int resources_ = 1;
    int writers_ = 1;
    std::vector<double> zipf_cdf_;  // zipf only: cumulative P(k <= i)
};

// One writer of the run, fixed before it starts.
struct WriterPlan {
    int index = 0;           // 0..total_writers-1, across all groups
    std::string id;          // "w<index>", sent as X-Writer-Id
    int group = 0;           // index into Scenario::groups
    std::uint64_t seed = 0;  // child seed of this writer's generator
    // Seed of the key sequence: the writer's own, except in a pair, where
    // both writers use the lower index's so they hit the same resources.
    std::uint64_t key_seed = 0;
    std::int64_t skew_ms = 0;  // business clock offset, U(-skew, +skew)
    // simultaneous_pairs: the other writer of the pair (same keys, same
    // moments); -1 when unpaired.
    int partner = -1;
};

// Writers in order: group 0's writers first, then group 1's... Child seeds
// come from one Xoshiro256(seed). Pairs are (2k, 2k+1) across the whole run
// when the workload asks for simultaneous pairs; an odd last writer is unpaired.
std::vector<WriterPlan> plan_writers(const Scenario& scenario, std::uint64_t seed);

// What the writers of one run share: the workload, the key picker and the
// effective policies (defaults filled in for the workload, see
// effective_policy).
class WorkloadModel {
  public:
    explicit WorkloadModel(const Scenario& scenario);

    const WorkloadSpec& spec() const noexcept { return spec_; }
    const KeyPicker& keys() const noexcept { return keys_; }
    // Effective policy of group `group`.
    const engine::Policy& policy(int group) const { return *policies_.at(group); }
    // The same policy, shared: resolutions hold it without copying it.
    const std::shared_ptr<const engine::Policy>& shared_policy(int group) const {
        return policies_.at(group);
    }
    // "<prefix><index>".
    std::string resource_id(int index) const;
    // The document every resource starts with.
    nlohmann::json initial_body() const;

  private:
    WorkloadSpec spec_;
    KeyPicker keys_;
    std::vector<std::shared_ptr<const engine::Policy>> policies_;
};

// The policy a group runs with: the scenario's, with what the workload needs
// filled in where the scenario left it empty: set-add + merge gets
// set_merge_pointers ["/items"]; register and overlapping-fields get
// timestamp_pointer "/updated_at".
engine::Policy effective_policy(WorkloadKind kind, engine::Policy policy);

// One planned operation, before its GET: which resource, how it is sent and
// the seed of its resolution's RandomSource.
struct OpPlan {
    std::uint64_t number = 0;  // 0-based index of the op within its writer
    std::string op_id;         // "w<writer>-<number>", also the set element
    int resource = 0;          // resource index
    engine::WriteMethod method = engine::WriteMethod::put;
    int field = 0;  // overlapping-fields: which field f<k>
    std::uint64_t resolution_seed = 0;
};

// A writer's generator: draws OpPlans in order.
class WriterState {
  public:
    WriterState(const WriterPlan& plan, const WorkloadModel& model);
    // The next op. Paired writers draw the same resources (the pair shares a
    // key seed) but their own op ids.
    OpPlan next_op();
    const WriterPlan& plan() const noexcept { return plan_; }
    std::uint64_t ops_started() const noexcept { return next_number_; }

  private:
    WriterPlan plan_;
    const WorkloadModel* model_;
    engine::Xoshiro256 random_;
    engine::Xoshiro256 key_random_;
    std::uint64_t next_number_ = 0;
};

// The update an op sends given the state it read (body and token; either may
// be absent when the GET found nothing or failed), and the intent the
// checker verifies. `now_ms` is the writer's business clock (wall time in
// epoch ms plus the writer's skew).
struct GeneratedOp {
    engine::Update update;
    OpIntent intent;
};
GeneratedOp generate_op(const WorkloadModel& model, const WriterPlan& writer, const OpPlan& op,
                        const std::optional<nlohmann::json>& current_body,
                        const std::optional<std::string>& current_token, std::int64_t now_ms);

// The GET that starts an op can fail (429, 5xx, a transport error): then the
// writer has no base token, and writing without one would be a blind write
// that overwrites other writers' updates (false lost updates, blamed on the
// system under test). Both drivers therefore read again after a backoff
// delay, and give up (Failed, nothing written) after the policy's attempts.

// Whether the answer can be built on: a 2xx (token and body), or 404/410
// (the resource is gone: the op recreates it). `response` null = transport
// error.
bool read_is_usable(const engine::Response* response) noexcept;

// The delay before the op's next GET after `failed_reads` (>= 1) failed ones,
// from the group's backoff, or nullopt when policy.max_attempts reads failed.
// Deterministic in `seed`.
std::optional<std::chrono::milliseconds> read_retry_delay(const engine::Policy& policy,
                                                          int failed_reads, std::uint64_t seed);

// The outcome of an op none of whose reads could be used: Failed,
// exhausted-transient, no write sent. `last` says what the last read met.
engine::Outcome unreadable_outcome(const OpRecord& record, int failed_reads,
                                   const std::string& last);

// Gives up an op whose reads all failed: records the op's intent (what it
// would have written) in `record` and returns unreadable_outcome().
engine::Outcome give_up_unreadable(const WorkloadModel& model, const WriterPlan& writer,
                                   const OpPlan& op, std::int64_t now_ms, OpRecord& record,
                                   int failed_reads, const std::string& last);

// "status 503" / the transport error's detail, for unreadable_outcome.
std::string describe_read_failure(const engine::Response* response,
                                  const engine::TransportError* error);

// An op started from its usable read (read_is_usable): the update built on
// the state read (token where the group's target profile keeps it), its
// intent recorded in `record`, and the engine's Resolution over it with a
// random source seeded from the op; or, when the harness could not build a
// valid update, the Failed outcome to record instead.
struct StartedOp {
    std::unique_ptr<engine::RandomSource> random;  // owned; the Resolution borrows it
    std::unique_ptr<engine::Resolution> resolution;
    std::optional<engine::Outcome> failed;
};
StartedOp start_op(const WorkloadModel& model, const WriterPlan& writer, const OpPlan& op,
                   const engine::Response& read, std::int64_t now_ms, OpRecord& record);

// A state of a resource a writer knows without reading it: the body of its
// own last acknowledged PUT there and the token the server answered with.
struct KnownState {
    int resource = 0;
    nlohmann::json body;
    std::string token;
};

// read_before_write "unless-known": what one writer remembers of the states
// it wrote itself, so its next op on the same resource skips the GET.
// Bounded to the `capacity` most recently written resources (memory stays
// flat with 10,000 writers); capacity 0 remembers nothing ("always").
class KnownStates {
  public:
    explicit KnownStates(std::size_t capacity) : capacity_(capacity) {}
    // The capacity a workload asks for: 0 unless read_before_write is
    // "unless-known".
    static std::size_t capacity_for(const WorkloadSpec& spec) noexcept;

    // After an op on `resource` finished (before the outcome is compacted):
    // remembers the state an acknowledged PUT left, with the token it
    // answered; anything else (PATCH, failed, discarded, no token) makes the
    // resource unknown again, since what the writer knew may be outdated.
    // Takes the final body out of `outcome` (moved, not copied: callers
    // compact the outcome next, which drops it anyway).
    void after_op(int resource, engine::Outcome& outcome);
    const KnownState* find(int resource) const noexcept;

  private:
    std::size_t capacity_ = 0;
    std::vector<KnownState> states_;  // most recently written last
};

// An op started from a state the writer knows (KnownStates), without a GET.
StartedOp start_op_from_known(const WorkloadModel& model, const WriterPlan& writer,
                              const OpPlan& op, const KnownState& known, std::int64_t now_ms,
                              OpRecord& record);

}  // namespace conflictlab::harness
