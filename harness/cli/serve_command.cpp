// `conflictlab serve`: the engine as a webhook-driven sync service
// (docs/service.md, docs/cli.md "## serve"). Prints `listening on
// http://HOST:PORT` first, then serves until SIGINT/SIGTERM and stops
// gracefully (exit 0): stop accepting, answer requests in flight, let
// resolutions in flight finish (--stop-grace-ms); events still queued stay in
// the store and resume at the next start. Bad flags or files exit 2 with a
// message naming the flag; secrets are read with load_secret, never printed.
// With --queue redis://HOST:PORT the instance joins a scaled-out group
// (docs/scale-out.md): the second line is then `joined QUEUE as ID (P
// partitions)`, and a Redis that does not answer within --redis-wait-ms
// exits 2 naming it.
#include <CLI/CLI.hpp>

#include <pthread.h>

#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "conflictlab/common/port.hpp"
#include "conflictlab/common/secrets.hpp"
#include "conflictlab/engine/alert_sender.hpp"
#include "conflictlab/engine/jsonl_outcome_log.hpp"
#include "conflictlab/engine/monitor.hpp"
#include "conflictlab/engine/policy.hpp"
#include "conflictlab/engine/sqlite_outcome_log.hpp"
#include "conflictlab/service/http_server.hpp"
#include "conflictlab/service/partitioner.hpp"
#include "conflictlab/service/queued_service.hpp"
#include "conflictlab/service/redis_queue_store.hpp"
#include "conflictlab/service/service.hpp"
#include "usage.hpp"

namespace conflictlab::cli {

namespace {

using nlohmann::json;

struct ServeFlags {
    std::string target;
    std::string policy_file;
    std::string db;
    std::string listen = "127.0.0.1:8080";
    int threads = 2;
    int driver_threads = 2;
    std::string token_file, token_env;
    std::string ca_file;
    bool insecure_skip_verify = false;
    std::string secret_file, secret_env;
    std::string signature_header = "X-Signature-256";
    std::string sync = "full";
    std::size_t queue_capacity = 10'000;
    std::size_t active_resources = 64;
    int retry_after_s = 1;
    std::string outcome_log;
    std::string conflict_log;
    std::string alert_url_file, alert_url_env;
    std::string trigger_file;
    std::vector<std::string> ignore_status, ignore_type, process_type;
    std::size_t body_limit = 1024 * 1024;
    std::size_t header_limit = 16 * 1024;
    std::size_t max_connections = 1'024;
    std::int64_t read_timeout_ms = 30'000;
    std::int64_t replay_poll_ms = 1'000;
    std::int64_t stop_grace_ms = 10'000;
    std::string writer_id = "conflictlab-serve";
    // Scale-out (docs/scale-out.md): "sqlite" or redis://HOST:PORT.
    std::string queue = "sqlite";
    std::string instance_id;
    std::uint32_t partitions = 16;
    std::int64_t lease_ttl_ms = 5'000;
    std::int64_t redis_wait_ms = 10'000;
    std::string key_prefix = "conflictlab";
    std::int64_t dedup_retention_s = 7 * 24 * 3600;
};

struct Given {
    CLI::Option* ignore_status = nullptr;
    CLI::Option* ignore_type = nullptr;
    CLI::Option* process_type = nullptr;
    CLI::Option* dedup_retention = nullptr;
};

engine::Policy read_policy(const std::string& path) {
    json doc = read_json_file(path, "--policy");
    // Either the policy object itself or a scenario-like {"policy": {...}}.
    if (doc.is_object() && doc.size() == 1 && doc.contains("policy"))
        doc = doc["policy"];
    try {
        return engine::policy_from_json(doc);
    } catch (const std::invalid_argument& e) {
        throw UsageError("--policy " + path + ": " + e.what());
    }
}

// "HOST:PORT", "[v6]:PORT" or ":PORT".
std::pair<std::string, std::uint16_t> parse_listen(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos)
        throw UsageError("--listen: expected HOST:PORT, got \"" + text + "\"");
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty())
        host = "127.0.0.1";
    if (host == "localhost")
        host = "127.0.0.1";
    const std::string port_text = text.substr(colon + 1);
    const std::optional<int> port = parse_port(port_text);  // 0: any free port
    if (!port)
        throw UsageError("--listen: port must be 0..65535, got \"" + port_text + "\"");
    return {host, static_cast<std::uint16_t>(*port)};
}

std::shared_ptr<engine::OutcomeSink> open_outcome_log(const std::string& path) {
    const bool sqlite = path.ends_with(".sqlite") || path.ends_with(".db");
    try {
        if (sqlite) {
            engine::SqliteOutcomeLogOptions o;
            o.path = path;
            return std::make_shared<engine::SqliteOutcomeLog>(o);
        }
        engine::JsonlOutcomeLogOptions o;
        o.path = path;
        return std::make_shared<engine::JsonlOutcomeLog>(o);
    } catch (const std::exception& e) {
        throw UsageError(std::string("--outcome-log: ") + e.what());
    }
}

// "HOSTNAME-PID": unique among live instances without configuration.
std::string default_instance_id() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
        std::snprintf(host, sizeof host, "instance");
    std::string id = host;
    for (char& c : id) {
        if (c == '|' || c <= ' ')
            c = '-';
    }
    return id + "-" + std::to_string(getpid());
}

int serve(const ServeFlags& f, const Given& given) {
    const bool redis = f.queue != "sqlite";
    service::RedisQueueOptions redis_options;
    if (redis) {
        try {
            redis_options = service::parse_redis_url(f.queue);
        } catch (const std::invalid_argument& e) {
            throw UsageError("--queue: " + std::string(e.what()) +
                             " (or \"sqlite\" for the embedded queue)");
        }
        redis_options.key_prefix = f.key_prefix;
        redis_options.partition_backlog_max = f.queue_capacity;
        redis_options.retention = std::chrono::seconds(f.dedup_retention_s);
        if (f.key_prefix.empty())
            throw UsageError("--key-prefix: must not be empty");
        if (f.outcome_log.empty() && f.db.empty())
            throw UsageError(
                "--outcome-log: required with --queue redis:// unless --db names "
                "the default (DB.outcomes.jsonl): each instance keeps its own log");
    } else if (f.db.empty()) {
        throw UsageError("--db: required (the SQLite event store) unless --queue redis://");
    } else if (given.dedup_retention->count() > 0) {
        throw UsageError(
            "--dedup-retention-s: only with --queue redis:// (the SQLite store keeps every "
            "event id)");
    }
    service::ServiceOptions options;
    options.store.path = f.db;
    options.store.synchronous = *service::parse_synchronous(f.sync);
    if (!f.trigger_file.empty()) {
        try {
            options.trigger =
                service::trigger_options_from_json(read_json_file(f.trigger_file, "--trigger"));
        } catch (const std::invalid_argument& e) {
            throw UsageError("--trigger " + f.trigger_file + ": " + e.what());
        }
    }
    if (given.ignore_status->count() > 0)
        options.trigger.ignore_statuses = f.ignore_status;
    if (given.ignore_type->count() > 0)
        options.trigger.ignore_types = f.ignore_type;
    if (given.process_type->count() > 0)
        options.trigger.process_types = f.process_type;
    if (!f.secret_file.empty())
        options.webhook_secret = "file:" + f.secret_file;
    if (!f.secret_env.empty())
        options.webhook_secret = "env:" + f.secret_env;
    if (!options.webhook_secret.empty()) {
        // Checked before anything is opened or created (store, logs).
        try {
            (void)load_secret(options.webhook_secret);
        } catch (const std::exception& e) {
            throw UsageError(std::string(f.secret_file.empty() ? "--webhook-secret-env: "
                                                               : "--webhook-secret-file: ") +
                             e.what());
        }
    }
    options.signature_header = f.signature_header;
    options.queue_capacity = f.queue_capacity;
    options.active_resources_max = f.active_resources;
    options.retry_after = std::chrono::seconds(f.retry_after_s);
    options.replay_poll = std::chrono::milliseconds(f.replay_poll_ms);
    options.stop_grace = std::chrono::milliseconds(f.stop_grace_ms);
    options.writer_id = f.writer_id;

    const engine::Policy policy = read_policy(f.policy_file);
    engine::DriverOptions driver;
    driver.http.base_url = f.target;
    if (!f.token_file.empty())
        driver.http.bearer_token_secret = "file:" + f.token_file;
    if (!f.token_env.empty())
        driver.http.bearer_token_secret = "env:" + f.token_env;
    driver.http.ca_file = f.ca_file;
    driver.http.insecure_skip_verify = f.insecure_skip_verify;
    driver.http.max_connections =
        std::max<std::size_t>(1, std::min<std::size_t>(f.active_resources, 256));
    driver.threads = f.driver_threads;
    driver.max_in_flight = f.active_resources + 16;

    auto [host, port] = parse_listen(f.listen);
    service::HttpServerOptions http;
    http.address = host;
    http.port = port;
    http.threads = f.threads;
    http.body_limit_bytes = f.body_limit;
    http.header_limit_bytes = f.header_limit;
    http.max_connections = f.max_connections;
    http.read_timeout = std::chrono::milliseconds(f.read_timeout_ms);
    if (!service::is_loopback_address(http.address)) {
        std::cerr << "conflictlab serve: warning: listening on " << http.address
                  << " exposes the service beyond this machine; put TLS and access control "
                     "in front of it\n";
    }

    service::ServiceDeps deps;
    try {
        deps.resolver = service::make_driver_resolver(driver, policy);
    } catch (const std::exception& e) {
        throw UsageError(std::string("--target: ") + e.what());
    }
    deps.transaction_log =
        open_outcome_log(f.outcome_log.empty() ? f.db + ".outcomes.jsonl" : f.outcome_log);
    engine::MonitorOptions monitor;
    if (!f.conflict_log.empty() && f.conflict_log != "-") {
        auto file = std::make_shared<std::ofstream>(f.conflict_log, std::ios::app);
        if (!*file)
            throw UsageError("--conflict-log " + f.conflict_log + ": cannot open the file");
        monitor.log_line = [file](std::string_view line) { *file << line << '\n' << std::flush; };
    }
    deps.monitor = std::make_shared<engine::Monitor>(monitor);
    if (!f.alert_url_file.empty() || !f.alert_url_env.empty()) {
        engine::AlertSenderOptions alerts;
        try {
            alerts.webhook_url = load_secret(!f.alert_url_file.empty() ? "file:" + f.alert_url_file
                                                                       : "env:" + f.alert_url_env);
            alerts.ca_file = f.ca_file;
            deps.alerts = std::make_shared<engine::AlertSender>(alerts);
        } catch (const std::exception& e) {
            throw UsageError(std::string("--alert-url-file/--alert-url-env: ") + e.what());
        }
    }

    std::unique_ptr<service::Service> svc;
    std::unique_ptr<service::QueuedService> queued;
    std::string instance = f.instance_id.empty() ? default_instance_id() : f.instance_id;
    if (redis) {
        std::shared_ptr<service::QueueStore> store;
        try {
            store = service::connect_redis_queue(redis_options,
                                                 std::chrono::milliseconds(f.redis_wait_ms));
        } catch (const std::exception& e) {
            throw UsageError("--queue " + f.queue + ": " + e.what());
        }
        service::QueuedServiceOptions q;
        q.service = options;
        q.leases.instance = instance;
        q.leases.partitions = f.partitions;
        q.leases.lease_ttl = std::chrono::milliseconds(f.lease_ttl_ms);
        q.leases.drain_max = std::chrono::milliseconds(2 * f.lease_ttl_ms);
        q.tick = std::chrono::milliseconds(std::max<std::int64_t>(1, f.lease_ttl_ms / 5));
        service::QueuedServiceDeps qd;
        qd.store = std::move(store);
        qd.service = std::move(deps);
        try {
            queued = std::make_unique<service::QueuedService>(q, std::move(qd));
        } catch (const std::exception& e) {
            throw UsageError(e.what());
        }
    } else {
        try {
            svc = std::make_unique<service::Service>(options, std::move(deps));
        } catch (const std::exception& e) {
            throw UsageError(e.what());
        }
    }
    service::RequestHandler& handler =
        redis ? static_cast<service::RequestHandler&>(*queued) : *svc;

    // Block the stop signals before any thread starts (threads inherit the
    // mask), then wait for one synchronously: no handler, nothing lost.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    service::HttpServer server(handler, http);
    std::uint16_t bound = 0;
    try {
        bound = server.start();
    } catch (const std::exception& e) {
        throw UsageError(std::string("--listen: ") + e.what());
    }
    std::string second_line;
    if (redis) {
        try {
            queued->start();
        } catch (const std::exception& e) {
            server.stop();
            throw UsageError("--queue " + f.queue + ": " + e.what());
        }
        second_line = "joined " + f.queue + " as " + instance + " (" +
                      std::to_string(f.partitions) + " partitions)";
    } else {
        second_line = "resumed " + std::to_string(svc->start()) + " events";
    }
    const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    std::cout << "listening on http://" << shown << ":" << bound << "\n"
              << second_line << std::endl;
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
    if (redis)
        queued->stop();
    else
        svc->stop();
    return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& root, int& exit_code) {
    auto flags = std::make_shared<ServeFlags>();
    auto given = std::make_shared<Given>();
    ServeFlags& f = *flags;
    CLI::App* cmd = root.add_subcommand(
        "serve", "Run the engine as a webhook-driven sync service (docs/service.md).");
    cmd->add_option("--target", f.target, "Base URL of the target API (http:// or https://)")
        ->required();
    cmd->add_option("--policy", f.policy_file, "Engine policy JSON file (docs/engine.md)")
        ->required();
    cmd->add_option("--db", f.db,
                    "SQLite event store (created when missing); required unless --queue redis://");
    cmd->add_option("--listen", f.listen, "HOST:PORT to serve on; port 0 = ephemeral (printed)")
        ->capture_default_str();
    cmd->add_option("--threads", f.threads, "HTTP I/O threads")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--driver-threads", f.driver_threads, "Engine driver I/O threads")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    auto* tf =
        cmd->add_option("--token-file", f.token_file, "File holding the target's bearer token");
    auto* te = cmd->add_option("--token-env", f.token_env,
                               "Environment variable holding the target's bearer token");
    tf->excludes(te);
    cmd->add_option("--ca-file", f.ca_file, "Extra trusted CA certificates (PEM) for HTTPS");
    cmd->add_flag("--insecure-skip-verify", f.insecure_skip_verify,
                  "Do not verify the target's certificate (test servers only)");
    auto* sf = cmd->add_option("--webhook-secret-file", f.secret_file,
                               "File holding the HMAC-SHA256 webhook secret (signatures required)");
    auto* se = cmd->add_option("--webhook-secret-env", f.secret_env,
                               "Environment variable holding the webhook secret");
    sf->excludes(se);
    cmd->add_option("--signature-header", f.signature_header,
                    "Header carrying sha256=<hex HMAC of the body>")
        ->capture_default_str();
    cmd->add_option("--sync", f.sync, "Event store durability: full (fsync per commit) | normal")
        ->check(CLI::IsMember({"full", "normal"}))
        ->capture_default_str();
    cmd->add_option("--queue-capacity", f.queue_capacity,
                    "Events accepted and not finished at most (429 beyond)")
        ->check(CLI::Range(1, 10'000'000))
        ->capture_default_str();
    cmd->add_option("--max-active-resources", f.active_resources,
                    "Resources resolved concurrently at most (one event each)")
        ->check(CLI::Range(1, 100'000))
        ->capture_default_str();
    cmd->add_option("--retry-after-s", f.retry_after_s, "Retry-After of a 429, in seconds")
        ->check(CLI::Range(0, 3600))
        ->capture_default_str();
    cmd->add_option("--outcome-log", f.outcome_log,
                    "Transaction log: *.sqlite/*.db = SQLite, else JSON lines "
                    "(default DB.outcomes.jsonl)");
    cmd->add_option("--conflict-log", f.conflict_log,
                    "File for conflict log lines (default: standard error)");
    auto* af = cmd->add_option("--alert-url-file", f.alert_url_file,
                               "File holding the Adaptive Card webhook URL (Failed alerts)");
    auto* ae = cmd->add_option("--alert-url-env", f.alert_url_env,
                               "Environment variable holding the alert webhook URL");
    af->excludes(ae);
    cmd->add_option("--trigger", f.trigger_file,
                    "Trigger conditions JSON {ignore_statuses, ignore_types, process_types}");
    given->ignore_status = cmd->add_option("--ignore-status", f.ignore_status,
                                           "Ignore events with this status (repeatable; "
                                           "default: ignored)");
    given->ignore_type = cmd->add_option("--ignore-type", f.ignore_type,
                                         "Ignore events of this type (repeatable; default: read, "
                                         "heartbeat)");
    given->process_type = cmd->add_option("--process-type", f.process_type,
                                          "Process only events of these types (repeatable)");
    cmd->add_option("--body-limit", f.body_limit, "Largest webhook body in bytes (413 beyond)")
        ->check(CLI::Range(1, 64 * 1024 * 1024))
        ->capture_default_str();
    cmd->add_option("--header-limit", f.header_limit,
                    "Largest request header block in bytes (431 beyond)")
        ->check(CLI::Range(256, 1024 * 1024))
        ->capture_default_str();
    cmd->add_option("--max-connections", f.max_connections,
                    "Open connections at most; one more is closed at once")
        ->check(CLI::Range(1, 1'000'000))
        ->capture_default_str();
    cmd->add_option("--read-timeout-ms", f.read_timeout_ms,
                    "Time to wait for and read one whole request (idle keep-alive included)")
        ->check(CLI::Range(1, 3'600'000))
        ->capture_default_str();
    cmd->add_option("--replay-poll-ms", f.replay_poll_ms,
                    "How often the store is checked for `conflictlab replay` requests")
        ->check(CLI::Range(1, 3'600'000))
        ->capture_default_str();
    cmd->add_option("--stop-grace-ms", f.stop_grace_ms,
                    "On SIGINT/SIGTERM, time for resolutions in flight to finish")
        ->check(CLI::Range(0, 600'000))
        ->capture_default_str();
    cmd->add_option("--writer-id", f.writer_id, "X-Writer-Id sent with every write")
        ->capture_default_str();
    cmd->add_option("--queue", f.queue,
                    "Event queue: sqlite (embedded, default) or redis://HOST:PORT (scale-out, "
                    "docs/scale-out.md)")
        ->capture_default_str();
    cmd->add_option("--instance-id", f.instance_id,
                    "This instance's id among the live instances (default HOSTNAME-PID)");
    cmd->add_option("--partitions", f.partitions,
                    "Partition streams P (every instance must use the same)")
        ->check(CLI::Range(1, static_cast<int>(service::kPartitionsMax)))
        ->capture_default_str();
    cmd->add_option("--lease-ttl-ms", f.lease_ttl_ms,
                    "Partition lease lifetime: a dead instance's partitions move after this")
        ->check(CLI::Range(300, 600'000))
        ->capture_default_str();
    cmd->add_option("--redis-wait-ms", f.redis_wait_ms,
                    "At start, how long to wait for Redis before giving up (exit 2)")
        ->check(CLI::Range(0, 600'000))
        ->capture_default_str();
    cmd->add_option("--key-prefix", f.key_prefix, "Prefix of every Redis key")
        ->capture_default_str();
    given->dedup_retention =
        cmd->add_option("--dedup-retention-s", f.dedup_retention_s,
                        "With --queue redis://: how long event ids (duplicate check) and event "
                        "states are kept in Redis, seconds (60..31536000)")
            ->check(CLI::Range(std::int64_t{60}, std::int64_t{365} * 24 * 3600))
            ->capture_default_str();

    cmd->callback([flags, given, &exit_code] {
        try {
            exit_code = serve(*flags, *given);
        } catch (const UsageError& e) {
            std::cerr << "conflictlab serve: " << e.what() << "\n";
            exit_code = kExitBadInput;
        } catch (const std::invalid_argument& e) {
            std::cerr << "conflictlab serve: " << e.what() << "\n";
            exit_code = kExitBadInput;
        } catch (const std::runtime_error& e) {
            std::cerr << "conflictlab serve: " << e.what() << "\n";
            exit_code = kExitBadInput;
        }
    });
}

}  // namespace conflictlab::cli
