// `conflictlab replay --failed`: marks failed events of a service's event
// store for replay (docs/service.md "Replay", docs/cli.md "## replay"). The
// running service (or its next start) picks them up and resolves them again,
// starting with a verify step, so an event that did reach the target is not
// written twice. Prints one line per event and a summary; exit 0, or 2 for
// bad input (a missing store, a bad --since).
//
// With --queue redis://HOST:PORT (a scaled-out service, docs/scale-out.md
// "Replay of failed events") the failed events are those whose committed outcome in Redis is
// `failed`; each selected one is appended again to its partition stream as a
// new entry marked replay, which the partition's owner delivers with the
// verify step first, and its state becomes `queued` (one atomic step per
// event, so an event is never queued twice). An unreachable Redis exits 2.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "command.hpp"
#include "conflictlab/common/http_date.hpp"
#include "conflictlab/service/event_store.hpp"
#include "conflictlab/service/redis_queue_store.hpp"

namespace conflictlab::cli {

namespace {

struct ReplayFlags {
    std::string db;
    bool failed = false;
    std::string since;
    std::string resource;
    std::size_t limit = 100'000;
    bool dry_run = false;
    std::string queue;
    std::string key_prefix = "conflictlab";
    std::int64_t redis_wait_ms = 2'000;
};

// Failed events listed at most (the list is bounded by the dedup retention;
// this only guards against a runaway store).
constexpr std::size_t kFailedScanMax = 10'000'000;
constexpr std::size_t kFailedPage = 1'000;

std::string reason_of(const nlohmann::json& outcome) {
    return outcome.is_object() && outcome.contains("reason") && outcome["reason"].is_string()
               ? outcome["reason"].get<std::string>()
               : std::string("?");
}

int replay_redis(const ReplayFlags& f, const std::optional<WallTime>& since) {
    service::RedisQueueOptions o;
    try {
        o = service::parse_redis_url(f.queue);
    } catch (const std::invalid_argument& e) {
        std::cerr << "conflictlab replay: --queue: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (f.key_prefix.empty()) {
        std::cerr << "conflictlab replay: --key-prefix: must not be empty\n";
        return kExitBadInput;
    }
    o.key_prefix = f.key_prefix;
    std::shared_ptr<service::QueueStore> store;
    try {
        store = service::connect_redis_queue(o, std::chrono::milliseconds(f.redis_wait_ms));
    } catch (const std::exception& e) {
        std::cerr << "conflictlab replay: --queue " << f.queue << ": " << e.what() << "\n";
        return kExitBadInput;
    }
    // The whole list first: requeueing removes events from it, which would
    // shift the pages.
    std::vector<std::string> ids;
    while (ids.size() < kFailedScanMax) {
        auto page = store->failed(ids.size(), kFailedPage);
        if (page.empty())
            break;
        ids.insert(ids.end(), page.begin(), page.end());
    }
    std::size_t selected = 0, stale = 0, full = 0;
    for (const auto& cid : ids) {
        if (selected >= f.limit)
            break;
        auto s = store->status(cid);
        if (!s || (*s)["state"] != "failed") {
            ++stale;
            continue;
        }
        const std::string resource = (*s)["resource_id"].is_string()
                                         ? (*s)["resource_id"].get<std::string>()
                                         : std::string();
        if (!f.resource.empty() && resource != f.resource)
            continue;
        if (since) {
            const auto received = (*s)["received_at"].is_string()
                                      ? parse_rfc3339((*s)["received_at"].get<std::string>())
                                      : std::nullopt;
            if (!received || *received < *since)
                continue;
        }
        if (!f.dry_run) {
            const auto r = store->requeue_failed(cid);
            if (r == service::RequeueResult::not_failed) {
                ++stale;
                continue;
            }
            if (r == service::RequeueResult::full) {
                ++full;
                continue;
            }
        }
        ++selected;
        std::cout << cid << " "
                  << ((*s)["event_id"].is_string() ? (*s)["event_id"].get<std::string>() : "?")
                  << " " << resource << " " << reason_of((*s)["outcome"]) << "\n";
    }
    std::cout << (f.dry_run ? "would replay " : "replay requested for ") << selected
              << " failed events" << std::endl;
    if (stale > 0)
        std::cerr << stale << " events no longer failed (replayed or expired meanwhile)\n";
    if (full > 0) {
        std::cerr << full
                  << " events not requeued: their partition's backlog is full; run again later\n";
    }
    return kExitOk;
}

int replay(const ReplayFlags& f) {
    if (!f.failed) {
        std::cerr << "conflictlab replay: nothing selected: give --failed\n";
        return kExitBadInput;
    }
    if (f.db.empty() == f.queue.empty()) {
        std::cerr << "conflictlab replay: give either --db (the embedded SQLite queue) or "
                     "--queue redis://HOST:PORT (scale-out)\n";
        return kExitBadInput;
    }
    if (!f.queue.empty() && !f.queue.starts_with("redis://")) {
        std::cerr << "conflictlab replay: --queue: expected redis://HOST:PORT, got \"" << f.queue
                  << "\"\n";
        return kExitBadInput;
    }
    if (f.queue.empty() && !std::filesystem::exists(f.db)) {
        std::cerr << "conflictlab replay: --db " << f.db << ": no such event store\n";
        return kExitBadInput;
    }
    service::ReplayFilter filter;
    filter.limit = f.limit;
    if (!f.since.empty()) {
        filter.since = parse_rfc3339(f.since);
        if (!filter.since) {
            std::cerr << "conflictlab replay: --since: not an RFC 3339 date-time (e.g. "
                         "2026-11-27T10:00:00Z), got \""
                      << f.since << "\"\n";
            return kExitBadInput;
        }
    }
    if (!f.queue.empty())
        return replay_redis(f, filter.since);
    if (!f.resource.empty())
        filter.resource_id = f.resource;
    service::EventStoreOptions options;
    options.path = f.db;
    service::EventStore store(options);
    const auto events = f.dry_run ? store.failed(filter) : store.request_replay(filter);
    for (const auto& e : events) {
        std::cout << e.correlation_id << " " << e.event_id << " " << e.resource_id << " "
                  << (e.outcome.is_object() && e.outcome.contains("reason")
                          ? e.outcome["reason"].get<std::string>()
                          : std::string("?"))
                  << "\n";
    }
    std::cout << (f.dry_run ? "would replay " : "replay requested for ") << events.size()
              << " failed events" << std::endl;
    return kExitOk;
}

}  // namespace

void add_replay_command(CLI::App& root, int& exit_code) {
    auto flags = std::make_shared<ReplayFlags>();
    ReplayFlags& f = *flags;
    CLI::App* cmd = root.add_subcommand(
        "replay", "Resubmit failed events of a `serve` event store (docs/service.md).");
    cmd->add_option("--db", f.db, "The service's SQLite event store (or --queue)");
    cmd->add_option("--queue", f.queue,
                    "redis://HOST:PORT: the scaled-out service's Redis (or --db)");
    cmd->add_option("--key-prefix", f.key_prefix, "With --queue: prefix of the Redis keys")
        ->capture_default_str();
    cmd->add_option("--redis-wait-ms", f.redis_wait_ms,
                    "With --queue: how long to wait for Redis before giving up (exit 2)")
        ->check(CLI::Range(0, 600'000))
        ->capture_default_str();
    cmd->add_flag("--failed", f.failed, "Select failed events (required)");
    cmd->add_option("--since", f.since, "Only events received at or after this RFC 3339 time");
    cmd->add_option("--resource", f.resource, "Only events for this resource id");
    cmd->add_option("--limit", f.limit, "At most this many events (oldest first)")
        ->check(CLI::Range(1, 10'000'000))
        ->capture_default_str();
    cmd->add_flag("--dry-run", f.dry_run, "List the events without marking them");
    cmd->callback([flags, &exit_code] {
        try {
            exit_code = replay(*flags);
        } catch (const std::exception& e) {
            std::cerr << "conflictlab replay: " << e.what() << "\n";
            exit_code = kExitBadInput;
        }
    });
}

}  // namespace conflictlab::cli
