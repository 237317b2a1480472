#include "conflictlab/mock/store.hpp"

#include "conflictlab/common/json_text.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

namespace conflictlab::mock {

namespace {

struct Slot {
    VersionPtr current;
    std::deque<HistoryEntry> history;
    std::uint64_t dropped = 0;
    std::uint64_t conflicts = 0;
};

}  // namespace

struct Store::Shard {
    mutable std::mutex mutex;
    std::map<std::string, Slot, std::less<>> slots;
};

Store::Store(StoreOptions options) : options_(options) {
    options_.shards = std::max<std::size_t>(options_.shards, 1);
    options_.history_limit = std::max<std::size_t>(options_.history_limit, 1);
    shards_ = std::make_unique<Shard[]>(options_.shards);
}

Store::~Store() = default;

Store::Shard& Store::shard_for(std::string_view id) const {
    return shards_[std::hash<std::string_view>{}(id) % options_.shards];
}

VersionPtr Store::get(std::string_view id) const {
    Shard& shard = shard_for(id);
    std::lock_guard lock(shard.mutex);
    auto it = shard.slots.find(id);
    return it == shard.slots.end() ? nullptr : it->second.current;
}

VersionPtr Store::write(std::string_view id, const WriteInfo& info, WriteFn decide) {
    Shard& shard = shard_for(id);
    // Declared before the lock so the replaced version (often its last
    // owner) is destroyed after the lock is released: freeing a JSON tree is
    // the most expensive step of a write and must not lengthen the critical
    // section.
    VersionPtr retired;
    std::lock_guard lock(shard.mutex);
    auto it = shard.slots.find(id);
    static const VersionPtr kNone;
    const VersionPtr& current = it == shard.slots.end() ? kNone : it->second.current;
    VersionPtr next = decide(current);
    if (!next) {
        return nullptr;
    }
    if (it == shard.slots.end()) {
        it = shard.slots.emplace(std::string(id), Slot{}).first;
    }
    Slot& slot = it->second;
    HistoryEntry entry;
    entry.version = next->version;
    entry.etag = next->etag;
    if (slot.current) {
        entry.replaced_etag = slot.current->etag;
    }
    entry.method = info.method;
    entry.writer_id = info.writer_id;
    entry.op_id = info.op_id;
    entry.named_etag = info.named_etag;
    entry.conditional = info.conditional;
    entry.fault_rule = info.fault_rule;
    entry.wall_time = next->last_modified;
    entry.steady_time = next->written_at;
    // Bounded: drop (and count) the oldest entry beyond the cap.
    if (slot.history.size() >= options_.history_limit) {
        slot.history.pop_front();
        ++slot.dropped;
    }
    slot.history.push_back(std::move(entry));
    retired = std::exchange(slot.current, next);
    return next;
}

void Store::note_conflict(std::string_view id) {
    Shard& shard = shard_for(id);
    std::lock_guard lock(shard.mutex);
    auto it = shard.slots.find(id);
    if (it != shard.slots.end()) {
        ++it->second.conflicts;
    }
}

std::optional<ResourceHistory> Store::history(std::string_view id) const {
    Shard& shard = shard_for(id);
    std::lock_guard lock(shard.mutex);
    auto it = shard.slots.find(id);
    if (it == shard.slots.end()) {
        return std::nullopt;
    }
    ResourceHistory out;
    out.entries.assign(it->second.history.begin(), it->second.history.end());
    out.dropped = it->second.dropped;
    return out;
}

StorePage Store::list(std::string_view after, std::size_t limit) const {
    // Each shard contributes its first `limit + 1` live ids after the cursor;
    // the smallest `limit` of the union are the page, one more says "more".
    std::vector<std::pair<std::string, VersionPtr>> candidates;
    for (std::size_t i = 0; i < options_.shards; ++i) {
        const Shard& shard = shards_[i];
        std::lock_guard lock(shard.mutex);
        auto it = after.empty() ? shard.slots.begin() : shard.slots.upper_bound(after);
        std::size_t taken = 0;
        for (; it != shard.slots.end() && taken <= limit; ++it) {
            if (it->second.current && it->second.current->live()) {
                candidates.emplace_back(it->first, it->second.current);
                ++taken;
            }
        }
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    StorePage page;
    page.more = candidates.size() > limit;
    if (page.more) {
        candidates.resize(limit);
    }
    page.items = std::move(candidates);
    return page;
}

std::size_t Store::live_count() const {
    std::size_t count = 0;
    for (std::size_t i = 0; i < options_.shards; ++i) {
        std::lock_guard lock(shards_[i].mutex);
        for (const auto& [id, slot] : shards_[i].slots) {
            count += slot.current && slot.current->live() ? 1 : 0;
        }
    }
    return count;
}

std::uint64_t Store::history_dropped() const {
    std::uint64_t dropped = 0;
    for (std::size_t i = 0; i < options_.shards; ++i) {
        std::lock_guard lock(shards_[i].mutex);
        for (const auto& [id, slot] : shards_[i].slots) {
            dropped += slot.dropped;
        }
    }
    return dropped;
}

std::vector<std::pair<std::string, std::uint64_t>> Store::top_conflicts(std::size_t n) const {
    std::vector<std::pair<std::string, std::uint64_t>> all;
    for (std::size_t i = 0; i < options_.shards; ++i) {
        std::lock_guard lock(shards_[i].mutex);
        for (const auto& [id, slot] : shards_[i].slots) {
            if (slot.conflicts > 0) {
                all.emplace_back(id, slot.conflicts);
            }
        }
    }
    auto by_count = [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    };
    const std::size_t keep = std::min(n, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                      by_count);
    all.resize(keep);
    return all;
}

void Store::reset() {
    for (std::size_t i = 0; i < options_.shards; ++i) {
        std::map<std::string, Slot, std::less<>> old;
        {
            std::lock_guard lock(shards_[i].mutex);
            old.swap(shards_[i].slots);
        }
        // `old` is destroyed here, outside the lock.
    }
}

std::shared_ptr<ResourceVersion> make_next_version(const VersionPtr& current, nlohmann::json body,
                                                   std::string etag, WallTime wall,
                                                   SteadyTime steady) {
    auto next = std::make_shared<ResourceVersion>();
    next->version = (current ? current->version : 0) + 1;
    next->etag = std::move(etag);
    next->body_text = dump_json(body);
    next->body = std::move(body);
    next->created = current && current->live() ? current->created : wall;
    next->last_modified = wall;
    next->written_at = steady;
    return next;
}

std::shared_ptr<ResourceVersion> make_tombstone(const VersionPtr& current, WallTime wall,
                                                SteadyTime steady) {
    auto next = std::make_shared<ResourceVersion>();
    next->version = current->version + 1;
    next->created = current->created;
    next->last_modified = wall;
    next->written_at = steady;
    next->deleted = true;
    return next;
}

nlohmann::json to_json(const HistoryEntry& entry) {
    nlohmann::json doc = {
        {"version", entry.version},
        {"etag", entry.etag},
        {"replaced_etag", entry.replaced_etag},
        {"named_etag", entry.named_etag},
        {"conditional", entry.conditional},
        {"method", entry.method},
        {"writer_id", entry.writer_id},
        {"op_id", entry.op_id},
        {"time", format_rfc3339(entry.wall_time)},
        {"steady_ns",
         std::chrono::duration_cast<std::chrono::nanoseconds>(entry.steady_time.time_since_epoch())
             .count()},
    };
    if (!entry.fault_rule.empty()) {
        doc["fault_rule"] = entry.fault_rule;
    }
    return doc;
}

nlohmann::json to_json(const ResourceHistory& history) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& entry : history.entries) {
        entries.push_back(to_json(entry));
    }
    return {{"entries", std::move(entries)}, {"dropped", history.dropped}};
}

}  // namespace conflictlab::mock
