// `conflictlab replay --failed`: marks failed events of a service's event
// store for replay (docs/service.md "Replay", docs/cli.md "## replay"). The
// running service (or its next start) picks them up and resolves them again,
// starting with a verify step, so an event that did reach the target is not
// written twice. Prints one line per event and a summary; exit 0, or 2 for
// bad input (a missing store, a bad --since).
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "command.hpp"
#include "conflictlab/common/http_date.hpp"
#include "conflictlab/service/event_store.hpp"

namespace conflictlab::cli {

namespace {

struct ReplayFlags {
    std::string db;
    bool failed = false;
    std::string since;
    std::string resource;
    std::size_t limit = 100'000;
    bool dry_run = false;
};

int replay(const ReplayFlags& f) {
    if (!f.failed) {
        std::cerr << "conflictlab replay: nothing selected: give --failed\n";
        return kExitBadInput;
    }
    if (!std::filesystem::exists(f.db)) {
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
    cmd->add_option("--db", f.db, "The service's SQLite event store")->required();
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
