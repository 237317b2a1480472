// `conflictlab outcomes LOG...`: one merged view of several instances'
// transaction logs, one JSON line per correlation id (docs/scale-out.md
// "Outcomes", docs/cli.md "## outcomes"). With a scaled-out service every
// instance writes its own log, and an event whose owner died after
// resolving it is resolved again by the next owner, so one correlation id
// may have records in several logs. Each log is JSON lines or SQLite
// (serve --outcome-log *.jsonl / *.sqlite / *.db), told apart by its first
// bytes; any mix is merged. With --queue redis://HOST:PORT the line
// also carries the committed state from Redis (the authority). Exit 0; 2 for
// an unreadable log, a file in neither format, a line or database that is not
// an outcome log (engine::read_outcome_log's messages), or an unreachable
// Redis.
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "conflictlab/engine/outcome_log_reader.hpp"
#include "conflictlab/service/redis_queue_store.hpp"
#include "usage.hpp"

namespace conflictlab::cli {

namespace {

using nlohmann::json;

struct OutcomesFlags {
    std::vector<std::string> logs;
    std::string correlation_id;
    std::string queue;
    std::string key_prefix = "conflictlab";
};

struct Merged {
    std::string event_id;
    std::string resource_id;
    json records = json::array();
};

std::string text_field(const json& j, const char* name) {
    return j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : std::string();
}

int outcomes(const OutcomesFlags& f) {
    std::map<std::string, Merged> by_id;
    std::size_t records = 0;
    for (const auto& path : f.logs) {
        // Either format, told apart by the file's first bytes.
        try {
            engine::read_outcome_log(path, [&](const json& o) {
                const std::string cid = o["correlation_id"].get<std::string>();
                if (!f.correlation_id.empty() && cid != f.correlation_id)
                    return;
                Merged& m = by_id[cid];
                m.event_id = text_field(o, "event_id");
                m.resource_id = text_field(o, "resource_id");
                m.records.push_back({{"log", path},
                                     {"kind", o["kind"]},
                                     {"path", o["path"]},
                                     {"reason", o["reason"]},
                                     {"attempts", o["attempts"]}});
                ++records;
            });
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
    }
    std::shared_ptr<service::QueueStore> store;
    if (!f.queue.empty()) {
        service::RedisQueueOptions o;
        try {
            o = service::parse_redis_url(f.queue);
        } catch (const std::invalid_argument& e) {
            throw UsageError("--queue: " + std::string(e.what()));
        }
        o.key_prefix = f.key_prefix;
        try {
            store = service::connect_redis_queue(o, std::chrono::milliseconds(2'000));
        } catch (const std::exception& e) {
            throw UsageError("--queue " + f.queue + ": " + e.what());
        }
    }
    std::size_t several = 0;
    for (const auto& [cid, m] : by_id) {
        // Records that disagree (a fenced zombie and the next owner) are all
        // shown; "outcome" names the kind only when they agree.
        json kind = m.records[0]["kind"];
        for (const auto& r : m.records) {
            if (r["kind"] != kind)
                kind = "conflicting";
        }
        several += m.records.size() > 1 ? 1 : 0;
        json line = {{"correlation_id", cid},
                     {"event_id", m.event_id},
                     {"resource_id", m.resource_id},
                     {"outcome", kind},
                     {"records", m.records}};
        if (store) {
            const auto s = store->status(cid);
            line["committed"] =
                s ? json{{"state", (*s)["state"]},
                         {"finished_by", (*s)["finished_by"]},
                         {"outcome_kind", (*s)["outcome"].is_object()
                                              ? (*s)["outcome"].value("kind", json(nullptr))
                                              : json(nullptr)}}
                  : json(nullptr);
        }
        std::cout << line.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    }
    std::cout.flush();
    std::cerr << "merged " << records << " records from " << f.logs.size() << " logs into "
              << by_id.size() << " correlation ids (" << several << " with several records)\n";
    return kExitOk;
}

}  // namespace

void add_outcomes_command(CLI::App& root, int& exit_code) {
    auto flags = std::make_shared<OutcomesFlags>();
    OutcomesFlags& f = *flags;
    CLI::App* cmd = root.add_subcommand(
        "outcomes",
        "Merge the transaction logs of several serve instances, one line per correlation id "
        "(docs/scale-out.md).");
    cmd->add_option("logs", f.logs,
                    "Transaction logs (serve --outcome-log), JSON lines or SQLite, any mix")
        ->required();
    cmd->add_option("--correlation-id", f.correlation_id, "Only this correlation id");
    cmd->add_option("--queue", f.queue,
                    "redis://HOST:PORT: add each event's committed state from Redis");
    cmd->add_option("--key-prefix", f.key_prefix, "Prefix of the Redis keys")
        ->capture_default_str();
    cmd->callback([flags, &exit_code] {
        try {
            exit_code = outcomes(*flags);
        } catch (const std::exception& e) {
            std::cerr << "conflictlab outcomes: " << e.what() << "\n";
            exit_code = kExitBadInput;
        }
    });
}

}  // namespace conflictlab::cli
