#pragma once
// Store: the mock server's resources, their current versions and their
// version histories, in memory.
//
// A resource's current state is an immutable `ResourceVersion` published
// through a shared pointer: readers copy the pointer under a short lock and
// then format their response without holding anything. A write is decided
// under the resource's shard lock by a caller-supplied function that sees the
// current version and returns the next one (or nothing): the precondition
// check and the install are one atomic step (compare-and-swap), so two
// writers naming the same If-Match can never both succeed.
//
// Every accepted write appends one `HistoryEntry`; a deletion leaves a
// tombstone version (so 404/410 can say when) and its history entry has an
// empty ETag, which a later re-creation names as the ETag it replaced. The
// chain "each entry's replaced_etag == previous entry's etag" therefore holds
// across deletions and re-creations.
//
// Thread-safety: every member function may be called from many threads. The
// resources are split over `StoreOptions::shards` shards by a hash of the id,
// each with its own mutex; there is no global lock.
// Ownership: versions are shared with readers; a reader's pointer stays valid
// after the resource is replaced, deleted or the store is reset.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/common/http_date.hpp"
#include "conflictlab/mock/clock.hpp"
#include "conflictlab/mock/detail/function_ref.hpp"

namespace conflictlab::mock {

// One state of a resource. Immutable once published by the store.
struct ResourceVersion {
    std::uint64_t version = 0;  // 1 for the first write, +1 per accepted write
    std::string etag;           // bare opaque token; empty for a tombstone
    nlohmann::json body;        // a JSON object; null for a tombstone
    std::string body_text;      // `body` serialized once, sent as is by reads
    WallTime created{};         // wall time of the write that created this incarnation
    WallTime last_modified{};   // wall time of this version's write (Last-Modified)
    SteadyTime written_at{};    // steady time of this version's write (busy window)
    bool deleted = false;       // tombstone: the resource was deleted at `last_modified`

    bool live() const noexcept { return !deleted; }
};

using VersionPtr = std::shared_ptr<const ResourceVersion>;

// Who made a write, recorded in the history.
struct WriteInfo {
    std::string_view method;     // "PUT", "PATCH", "DELETE", "POST"
    std::string_view writer_id;  // X-Writer-Id, or "foreign" for injected writes
    std::string_view op_id;      // X-Op-Id; empty for writes the server makes itself
    // The precondition the write carried, as sent: the If-Match field value
    // ("*" for any), or the body-version token; empty when none named a token
    // (an unconditional write, or If-None-Match: * on a creation).
    std::string_view named_etag = {};
    // Whether the write was conditional (If-Match, If-None-Match, or a
    // body-version token): false for a blind write.
    bool conditional = false;
    // The fault rule on whose behalf the server wrote (delete_resource,
    // foreign_write); empty for client writes.
    std::string_view fault_rule = {};
};

// One accepted write.
struct HistoryEntry {
    std::uint64_t version = 0;
    std::string etag;           // token the write produced; empty for a deletion
    std::string replaced_etag;  // token of the version it replaced; empty for a creation
    std::string method;
    std::string writer_id;
    std::string op_id;
    std::string named_etag;  // see WriteInfo
    bool conditional = false;
    std::string fault_rule;  // see WriteInfo
    WallTime wall_time{};
    SteadyTime steady_time{};
};

struct ResourceHistory {
    std::vector<HistoryEntry> entries;  // oldest first
    std::uint64_t dropped = 0;          // older entries removed by the history cap
};

struct StoreOptions {
    // Number of independently locked shards. More shards, less contention.
    std::size_t shards = 64;
    // Entries kept per resource; the oldest are dropped (and counted) beyond it.
    std::size_t history_limit = 10000;
};

// A listing page: live resources with ids greater than the cursor, by id.
struct StorePage {
    std::vector<std::pair<std::string, VersionPtr>> items;
    bool more = false;  // there are live resources after the last item
};

class Store {
  public:
    // Decides a write under the shard lock. `current` is null when the id was
    // never written (or the store was reset since), else the current version
    // (possibly a tombstone). Returns the version to install, or null to leave
    // the resource unchanged. It may throw; nothing is changed then.
    // REQUIRES: a returned version has `version == (current ? current->version : 0) + 1`.
    using WriteFn = detail::FunctionRef<VersionPtr(const VersionPtr& current)>;

    explicit Store(StoreOptions options = {});
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // The current version (possibly a tombstone), or null.
    VersionPtr get(std::string_view id) const;

    // Runs `decide` under the lock of `id`'s shard and installs what it
    // returns, appending a history entry. Returns the installed version, or
    // null when `decide` declined.
    VersionPtr write(std::string_view id, const WriteInfo& info, WriteFn decide);

    // Counts a conflict answered for `id` (for the stats' top-N). No-op for an
    // unknown id.
    void note_conflict(std::string_view id);

    // The history of `id`, or nullopt when the id is unknown.
    std::optional<ResourceHistory> history(std::string_view id) const;

    // Up to `limit` live resources with id > `after` (all when `after` is
    // empty), ordered by id.
    StorePage list(std::string_view after, std::size_t limit) const;

    // Live (not deleted) resources.
    std::size_t live_count() const;
    // Total history entries dropped by the cap, over all resources.
    std::uint64_t history_dropped() const;
    // The `n` resources with the most conflicts, most first (ties by id).
    std::vector<std::pair<std::string, std::uint64_t>> top_conflicts(std::size_t n) const;

    // Forgets every resource, tombstone and history.
    void reset();

    const StoreOptions& options() const noexcept { return options_; }

  private:
    struct Shard;
    Shard& shard_for(std::string_view id) const;

    StoreOptions options_;
    std::unique_ptr<Shard[]> shards_;
};

// Builds the next version of a resource after `current` (null or tombstone =
// a creation). Fills the version number and times; `body_text` is computed
// from `body`.
std::shared_ptr<ResourceVersion> make_next_version(const VersionPtr& current, nlohmann::json body,
                                                   std::string etag, WallTime wall,
                                                   SteadyTime steady);
// A tombstone following `current`. REQUIRES: current is live.
std::shared_ptr<ResourceVersion> make_tombstone(const VersionPtr& current, WallTime wall,
                                                SteadyTime steady);

nlohmann::json to_json(const HistoryEntry& entry);
nlohmann::json to_json(const ResourceHistory& history);

}  // namespace conflictlab::mock
