#pragma once
// FakeQueueStore: an in-memory QueueStore with the same lease, fencing and
// delivery rules as the Redis scripts (src/redis_queue_store.cpp), on a
// FakeClock the test advances. Thread-safe (one mutex), so the
// QueuedService's threads can use it.
#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conflictlab/service/queue_store.hpp"

namespace conflictlab::service::testing {

class FakeClock {
  public:
    using time_point = std::chrono::steady_clock::time_point;
    time_point now() const {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void advance(std::chrono::milliseconds d) {
        std::lock_guard lock(mutex_);
        now_ += d;
    }

  private:
    mutable std::mutex mutex_;
    time_point now_{std::chrono::hours(1)};
};

class FakeQueueStore final : public QueueStore {
  public:
    explicit FakeQueueStore(FakeClock& clock) : clock_(clock) {}

    std::vector<std::string> heartbeat(const std::string& instance,
                                       std::chrono::milliseconds ttl) override {
        std::lock_guard lock(mutex_);
        if (fail_heartbeats_)
            throw std::runtime_error("fake store: heartbeat failed");
        const auto now = clock_.now();
        std::erase_if(members_, [&](const auto& m) { return m.second <= now; });
        members_[instance] = now + ttl;
        std::vector<std::string> out;
        for (const auto& [m, expiry] : members_)
            out.push_back(m);
        return out;
    }
    void leave(const std::string& instance) override {
        std::lock_guard lock(mutex_);
        members_.erase(instance);
    }
    std::uint32_t register_partitions(std::uint32_t partitions) override {
        std::lock_guard lock(mutex_);
        if (partitions_ == 0)
            partitions_ = partitions;
        return partitions_;
    }

    std::uint64_t acquire(std::uint32_t p, const std::string& instance,
                          std::chrono::milliseconds ttl) override {
        std::lock_guard lock(mutex_);
        auto& l = leases_[p];
        if (live(l) && l.instance != instance)
            return 0;
        l.instance = instance;
        l.token = ++fence_[p];
        l.expiry = clock_.now() + ttl;
        return l.token;
    }
    bool renew(std::uint32_t p, const std::string& instance, std::uint64_t token,
               std::chrono::milliseconds ttl) override {
        std::lock_guard lock(mutex_);
        auto& l = leases_[p];
        if (!holds(l, instance, token))
            return false;
        l.expiry = clock_.now() + ttl;
        return true;
    }
    void release(std::uint32_t p, const std::string& instance, std::uint64_t token) override {
        std::lock_guard lock(mutex_);
        auto& l = leases_[p];
        if (holds(l, instance, token))
            l = Lease{};
    }

    QueueAppendResult append(const QueueAppend& e) override {
        std::lock_guard lock(mutex_);
        if (auto it = by_event_.find(e.event_id); it != by_event_.end())
            return {false, it->second, status_[it->second]["state"]};
        by_event_[e.event_id] = e.correlation_id;
        Entry entry;
        entry.id = std::to_string(++entry_seq_) + "-0";
        entry.event = {e.partition,   entry.id,   e.event_id, e.correlation_id,
                       e.resource_id, e.document, false};
        streams_[e.partition].push_back(entry);
        status_[e.correlation_id] = {{"event_id", e.event_id}, {"state", "queued"}};
        return {true, e.correlation_id, "queued"};
    }
    std::vector<QueuedEvent> read_new(
        const std::vector<std::pair<std::uint32_t, std::uint64_t>>& partition_tokens,
        const std::string& instance, std::size_t max_entries) override {
        std::lock_guard lock(mutex_);
        ++read_calls_;
        std::vector<QueuedEvent> out;
        for (const auto& [p, token] : partition_tokens) {
            if (!holds(leases_[p], instance, token))
                continue;
            for (auto& entry : streams_[p]) {
                if (out.size() >= max_entries)
                    return out;
                if (entry.consumer.empty() && !entry.acked) {
                    entry.consumer = instance;
                    out.push_back(entry.event);
                    out.back().redelivered = entry.replay;
                }
            }
        }
        return out;
    }
    std::vector<QueuedEvent> claim_pending(std::uint32_t p, const std::string& instance,
                                           std::size_t max_entries) override {
        std::lock_guard lock(mutex_);
        std::vector<QueuedEvent> out;
        for (auto& entry : streams_[p]) {
            if (out.size() >= max_entries)
                break;
            if (!entry.consumer.empty() && !entry.acked) {
                entry.consumer = instance;
                out.push_back(entry.event);
                out.back().redelivered = true;
            }
        }
        return out;
    }
    std::vector<bool> commit(const std::string& instance,
                             const std::vector<QueueCommit>& commits) override {
        std::lock_guard lock(mutex_);
        if (fail_commits_ > 0) {
            --fail_commits_;
            throw std::runtime_error("fake store: commit failed");
        }
        std::vector<bool> ok;
        for (const auto& c : commits) {
            if (!holds(leases_[c.partition], instance, c.token)) {
                ok.push_back(false);
                continue;
            }
            for (auto& entry : streams_[c.partition]) {
                if (entry.id == c.entry_id)
                    entry.acked = true;
            }
            status_[c.correlation_id]["state"] = c.kind;
            committed_.push_back(c);
            ok.push_back(true);
        }
        return ok;
    }
    std::vector<std::string> failed(std::size_t offset, std::size_t count) override {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto& c : committed_) {
            if (c.kind == "failed" && status_[c.correlation_id]["state"] == "failed" &&
                std::find(out.begin(), out.end(), c.correlation_id) == out.end())
                out.push_back(c.correlation_id);
        }
        out.erase(out.begin(),
                  out.begin() + static_cast<std::ptrdiff_t>(std::min(offset, out.size())));
        out.resize(std::min(count, out.size()));
        return out;
    }
    RequeueResult requeue_failed(std::string_view correlation_id) override {
        std::lock_guard lock(mutex_);
        auto it = status_.find(std::string(correlation_id));
        if (it == status_.end() || it->second["state"] != "failed")
            return RequeueResult::not_failed;
        for (auto& [p, stream] : streams_) {
            for (const auto& entry : stream) {
                if (entry.event.correlation_id != correlation_id)
                    continue;
                Entry again;
                again.id = std::to_string(++entry_seq_) + "-0";
                again.event = entry.event;
                again.event.entry_id = again.id;
                again.replay = true;
                it->second["state"] = "queued";
                stream.push_back(std::move(again));
                return RequeueResult::requeued;
            }
        }
        return RequeueResult::not_failed;
    }
    std::optional<nlohmann::json> status(std::string_view correlation_id) override {
        std::lock_guard lock(mutex_);
        auto it = status_.find(std::string(correlation_id));
        if (it == status_.end())
            return std::nullopt;
        return it->second;
    }
    std::vector<PartitionStats> stats(std::uint32_t partitions) override {
        std::lock_guard lock(mutex_);
        std::vector<PartitionStats> out;
        for (std::uint32_t p = 0; p < partitions; ++p) {
            PartitionStats s;
            s.partition = p;
            for (const auto& e : streams_[p]) {
                s.lag += e.acked ? 0 : 1;
                s.pending += (!e.acked && !e.consumer.empty()) ? 1 : 0;
            }
            if (live(leases_[p]))
                s.owner = leases_[p].instance;
            out.push_back(s);
        }
        return out;
    }

    // Test controls and views.
    void fail_heartbeats(bool fail) {
        std::lock_guard lock(mutex_);
        fail_heartbeats_ = fail;
    }
    std::uint64_t read_calls() const {
        std::lock_guard lock(mutex_);
        return read_calls_;
    }
    void fail_next_commits(int n) {
        std::lock_guard lock(mutex_);
        fail_commits_ = n;
    }
    std::vector<QueueCommit> committed() const {
        std::lock_guard lock(mutex_);
        return committed_;
    }
    std::string owner(std::uint32_t p) {
        std::lock_guard lock(mutex_);
        return live(leases_[p]) ? leases_[p].instance : std::string();
    }

  private:
    struct Lease {
        std::string instance;
        std::uint64_t token = 0;
        FakeClock::time_point expiry{};
    };
    struct Entry {
        std::string id;
        QueuedEvent event;
        std::string consumer;  // delivered to; empty: never delivered
        bool acked = false;
        bool replay = false;  // requeued by requeue_failed()
    };
    bool live(const Lease& l) const { return !l.instance.empty() && l.expiry > clock_.now(); }
    bool holds(const Lease& l, const std::string& instance, std::uint64_t token) const {
        return live(l) && l.instance == instance && l.token == token;
    }

    FakeClock& clock_;
    mutable std::mutex mutex_;
    std::map<std::string, FakeClock::time_point> members_;
    std::uint32_t partitions_ = 0;
    std::map<std::uint32_t, Lease> leases_;
    std::map<std::uint32_t, std::uint64_t> fence_;
    std::map<std::uint32_t, std::deque<Entry>> streams_;
    std::map<std::string, std::string> by_event_;
    std::map<std::string, nlohmann::json> status_;
    std::vector<QueueCommit> committed_;
    std::uint64_t entry_seq_ = 0;
    int fail_commits_ = 0;
    bool fail_heartbeats_ = false;
    std::uint64_t read_calls_ = 0;
};

}  // namespace conflictlab::service::testing
