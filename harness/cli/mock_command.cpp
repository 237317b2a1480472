// `conflictlab mock`: serve the ETag-enforcing mock server (docs/cli.md
// "## mock", docs/mock-server.md). Flags override the --config file; the rule
// file from --faults replaces the config's rules; --seed overrides both seeds.
// Prints `listening on http(s)://HOST:PORT` and `seed N` first, then serves
// until SIGINT/SIGTERM and stops gracefully (exit 0). Bad flags, files or
// values exit 2 with a message naming the flag or field; tokens are read with
// load_secret and never printed.
#include <CLI/CLI.hpp>

#include <pthread.h>

#include <csignal>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "conflictlab/mock/clock.hpp"
#include "conflictlab/mock/core_options.hpp"
#include "conflictlab/mock/faults/fault_rules.hpp"
#include "conflictlab/mock/http/mock_http_server.hpp"
#include "conflictlab/mock/server_core.hpp"
#include "usage.hpp"

namespace conflictlab::cli {

namespace {

using nlohmann::json;

struct MockFlags {
    std::string host = "127.0.0.1";
    int port = 8080;
    int threads = mock::http::default_thread_count();
    std::uint64_t seed = 0;
    std::string config_file;
    std::string faults_file;
    std::string dialect;
    int conflict_status = 412;
    std::string etag_style;
    std::string etag_scheme;
    std::string version_pointer;
    int deleted_status = 404;
    std::uint64_t busy_window_ms = 0;
    std::uint64_t body_limit = 1024 * 1024;
    std::size_t header_limit = 16 * 1024;
    std::size_t max_connections = 10000;
    std::int64_t read_timeout_ms = 10000;
    std::int64_t idle_timeout_ms = 30000;
    std::int64_t write_timeout_ms = 10000;
    std::int64_t hang_limit_ms = 60000;
    std::int64_t shutdown_grace_ms = 5000;
    std::string token_file, token_env, admin_token_file, admin_token_env;
    std::string tls_cert, tls_key;
    std::string access_log;
    double throttle_rate = 0, throttle_burst = 0, throttle_client_rate = 0,
           throttle_client_burst = 0;
    std::string throttle_client_header = "X-Client-Id";
    bool weak_etags = false;
    bool lenient_weak_match = false;
    bool require_precondition = false;
};

// The options whose presence matters (flags override the config file only
// when given).
struct Given {
    std::map<std::string, CLI::Option*> by_field;  // config field -> flag
    CLI::Option* seed = nullptr;
    CLI::Option* config = nullptr;
    CLI::Option* faults = nullptr;
};

std::string url_host(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// The CoreOptions JSON: the config file, then each given flag on top.
json core_options_doc(const MockFlags& f, const Given& given) {
    json doc = json::object();
    if (given.config->count() > 0) {
        doc = read_json_file(f.config_file, "--config");
        if (!doc.is_object())
            throw UsageError("--config " + f.config_file + ": must be a JSON object");
    }
    auto given_flag = [&](const char* field) { return given.by_field.at(field)->count() > 0; };
    auto overlay = [&](const char* field, json value) {
        if (given_flag(field))
            doc[field] = std::move(value);
    };
    overlay("dialect", f.dialect);
    overlay("conflict_status", f.conflict_status);
    overlay("weak_etags", true);
    overlay("lenient_weak_match", true);
    overlay("etag_style", f.etag_style);
    overlay("etag_scheme", f.etag_scheme);
    overlay("version_pointer", f.version_pointer);
    overlay("deleted_status", f.deleted_status);
    overlay("require_precondition", true);
    overlay("busy_window_ms", f.busy_window_ms);
    overlay("body_limit_bytes", f.body_limit);
    if (given.by_field.at("resource_token")->count() > 0) {
        doc["resource_token"] = "file:" + f.token_file;
    }
    if (given.by_field.at("resource_token_env")->count() > 0) {
        doc["resource_token"] = "env:" + f.token_env;
    }
    if (given.by_field.at("admin_token")->count() > 0) {
        doc["admin_token"] = "file:" + f.admin_token_file;
    }
    if (given.by_field.at("admin_token_env")->count() > 0) {
        doc["admin_token"] = "env:" + f.admin_token_env;
    }
    auto throttle_overlay = [&](const char* field, const char* key, json value) {
        if (!given_flag(field))
            return;
        if (!doc.contains("throttle") || !doc["throttle"].is_object())
            doc["throttle"] = json::object();
        doc["throttle"][key] = std::move(value);
    };
    throttle_overlay("throttle.global_rate_per_s", "global_rate_per_s", f.throttle_rate);
    throttle_overlay("throttle.global_burst", "global_burst", f.throttle_burst);
    throttle_overlay("throttle.per_client_rate_per_s", "per_client_rate_per_s",
                     f.throttle_client_rate);
    throttle_overlay("throttle.per_client_burst", "per_client_burst", f.throttle_client_burst);
    throttle_overlay("throttle.client_key_header", "client_key_header", f.throttle_client_header);

    if (given.faults->count() > 0) {
        json rules = read_json_file(f.faults_file, "--faults");
        try {
            (void)mock::parse_fault_rules(rules);
        } catch (const std::invalid_argument& e) {
            throw UsageError("--faults " + f.faults_file + ": " + e.what());
        }
        doc["fault_rules"] = std::move(rules);
    }
    if (given.seed->count() > 0) {
        doc["seed"] = f.seed;
        // One seed rebuilds the run: it also beats a seed inside the rule file.
        if (doc.contains("fault_rules") && doc["fault_rules"].is_object() &&
            doc["fault_rules"].contains("seed")) {
            doc["fault_rules"]["seed"] = f.seed;
        }
    }
    return doc;
}

mock::CoreOptions core_options(const MockFlags& f, const Given& given) {
    const json doc = core_options_doc(f, given);
    try {
        return mock::parse_core_options(doc);
    } catch (const std::invalid_argument& e) {
        // Name the flag when a flag set the field, else the config file.
        const std::string message = e.what();
        const std::string field = message.substr(0, message.find(':'));
        for (const auto& [name, option] : given.by_field) {
            const bool same = name == field || name.rfind(field + ".", 0) == 0 ||
                              (field == "resource_token" && name == "resource_token_env") ||
                              (field == "admin_token" && name == "admin_token_env");
            if (same && option->count() > 0) {
                throw UsageError(option->get_name() + ": " + message);
            }
        }
        if (given.config->count() > 0)
            throw UsageError("--config " + f.config_file + ": " + message);
        throw UsageError(message);
    }
}

mock::http::ListenerOptions listener_options(const MockFlags& f, const mock::CoreOptions& core) {
    mock::http::ListenerOptions o;
    o.address = f.host == "localhost" ? "127.0.0.1" : f.host;
    o.port = static_cast<std::uint16_t>(f.port);
    o.threads = f.threads;
    o.header_limit_bytes = f.header_limit;
    o.body_limit_bytes = core.body_limit_bytes;
    o.max_connections = f.max_connections;
    o.read_timeout = std::chrono::milliseconds(f.read_timeout_ms);
    o.idle_timeout = std::chrono::milliseconds(f.idle_timeout_ms);
    o.write_timeout = std::chrono::milliseconds(f.write_timeout_ms);
    o.hang_limit = std::chrono::milliseconds(f.hang_limit_ms);
    o.shutdown_grace = std::chrono::milliseconds(f.shutdown_grace_ms);
    if (!f.tls_cert.empty())
        o.tls_cert_file = f.tls_cert;
    if (!f.tls_key.empty())
        o.tls_key_file = f.tls_key;
    if (!f.access_log.empty())
        o.access_log_path = f.access_log;
    return o;
}

int serve(const MockFlags& f, const Given& given) {
    mock::CoreOptions options = core_options(f, given);
    if (options.resource_token && !options.admin_token) {
        // A resource token says "this server is guarded"; leaving /_admin/*
        // (reset, faults, history) open beside it would undo that.
        throw UsageError(
            "--token-file/--token-env (resource_token): the admin API needs its own token too; "
            "add --admin-token-file or --admin-token-env (admin_token)");
    }
    auto listener = listener_options(f, options);
    if (!mock::http::is_loopback_address(listener.address)) {
        std::cerr << "conflictlab mock: warning: listening on " << listener.address
                  << " exposes the mock server beyond this machine; it is a test server with "
                     "no hardening\n";
    }
    mock::SystemClock clock;
    mock::ServerCore core(std::move(options), clock);
    mock::http::MockHttpServer server(core, listener);

    // A SIGTERM that arrives between start() and run() must not kill the
    // process: keep the signals blocked (the I/O threads inherit the mask)
    // until run() has installed its handler and unblocks them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    std::uint16_t port = 0;
    try {
        port = server.start();
    } catch (const std::exception& e) {
        throw UsageError(e.what());
    }
    std::cout << "listening on " << (server.tls() ? "https" : "http") << "://"
              << url_host(listener.address) << ":" << port << "\n"
              << "seed " << core.faults().seed() << std::endl;
    server.run();
    return kExitOk;
}

}  // namespace

void add_mock_command(CLI::App& root, int& exit_code) {
    auto flags = std::make_shared<MockFlags>();
    auto given = std::make_shared<Given>();
    CLI::App* cmd = root.add_subcommand(
        "mock", "Serve the ETag-enforcing mock server until SIGINT/SIGTERM (docs/mock-server.md).");
    MockFlags& f = *flags;
    auto& by = given->by_field;

    cmd->add_option("--host", f.host, "Address to listen on; not loopback = exposed (warning)")
        ->capture_default_str();
    cmd->add_option("--port", f.port, "TCP port; 0 picks an ephemeral one (printed)")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd->add_option("--threads", f.threads, "I/O threads (default: hardware concurrency)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    given->seed = cmd->add_option("--seed", f.seed,
                                  "Seed for fault rules, ETag tokens and ids; overrides the "
                                  "config's and the rule file's (printed at start)")
                      // CLI11 would wrap "-1" to 2^64-1 for an unsigned value; say no instead.
                      ->check(CLI::NonNegativeNumber);
    given->config =
        cmd->add_option("--config", f.config_file,
                        "CoreOptions JSON file (docs/mock-server.md); flags override it");
    given->faults = cmd->add_option("--faults", f.faults_file,
                                    "Fault rule file (docs/fault-rules.md), installed at start");
    by["dialect"] =
        cmd->add_option("--dialect", f.dialect, "Concurrency-control dialect (default if-match)")
            ->check(
                CLI::IsMember({"if-match", "body-version", "require-precondition", "busy-window"}));
    by["conflict_status"] =
        cmd->add_option("--conflict-status", f.conflict_status, "Status for a failed If-Match")
            ->check(CLI::IsMember({409, 412}))
            ->capture_default_str();
    by["weak_etags"] = cmd->add_flag("--weak-etags", f.weak_etags, "Issue weak ETags (W/\"...\")");
    by["lenient_weak_match"] = cmd->add_flag("--lenient-weak-match", f.lenient_weak_match,
                                             "Compare If-Match weakly, like sloppy servers");
    by["etag_style"] =
        cmd->add_option("--etag-style", f.etag_style, "How ETags are written (default strong)")
            ->check(CLI::IsMember({"strong", "weak", "unquoted"}));
    by["etag_scheme"] = cmd->add_option("--etag-scheme", f.etag_scheme,
                                        "How ETag tokens are generated (default counter)")
                            ->check(CLI::IsMember({"counter", "hash", "uuid"}));
    by["version_pointer"] =
        cmd->add_option("--version-pointer", f.version_pointer,
                        "JSON pointer of the body token in body-version (default /version)");
    by["deleted_status"] =
        cmd->add_option("--deleted-status", f.deleted_status, "Status for a deleted resource")
            ->check(CLI::IsMember({404, 410}))
            ->capture_default_str();
    by["require_precondition"] =
        cmd->add_flag("--require-precondition", f.require_precondition,
                      "Unconditional writes to existing resources get 428");
    by["busy_window_ms"] = cmd->add_option("--busy-window-ms", f.busy_window_ms,
                                           "After a write, writes get 409 for this long (0 = off)")
                               ->check(CLI::Range(0, 3600000))
                               ->capture_default_str();
    by["body_limit_bytes"] =
        cmd->add_option("--body-limit", f.body_limit, "Largest request body in bytes (413 beyond)")
            ->check(CLI::Range(1ULL, 1024ULL * 1024 * 1024))
            ->capture_default_str();
    cmd->add_option("--header-limit", f.header_limit,
                    "Largest request header block in bytes (431 beyond)")
        ->check(CLI::Range(256, 1024 * 1024))
        ->capture_default_str();
    cmd->add_option("--max-connections", f.max_connections,
                    "Open connections at most; more are closed at once")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    cmd->add_option("--read-timeout-ms", f.read_timeout_ms,
                    "Time for one whole request from its first byte (slow-loris bound)")
        ->check(CLI::Range(1, 3600000))
        ->capture_default_str();
    cmd->add_option("--idle-timeout-ms", f.idle_timeout_ms,
                    "Idle keep-alive connections close after this")
        ->check(CLI::Range(1, 3600000))
        ->capture_default_str();
    cmd->add_option("--write-timeout-ms", f.write_timeout_ms, "Time to write one response")
        ->check(CLI::Range(1, 3600000))
        ->capture_default_str();
    cmd->add_option("--hang-limit-ms", f.hang_limit_ms,
                    "How long a hang fault holds a connection; also caps injected delays")
        ->check(CLI::Range(1, 3600000))
        ->capture_default_str();
    cmd->add_option("--shutdown-grace-ms", f.shutdown_grace_ms,
                    "On SIGINT/SIGTERM, time for in-flight responses before force-closing")
        ->check(CLI::Range(0, 600000))
        ->capture_default_str();
    by["resource_token"] = cmd->add_option("--token-file", f.token_file,
                                           "File holding the bearer token required on /resources");
    by["resource_token_env"] = cmd->add_option(
        "--token-env", f.token_env, "Environment variable holding the /resources bearer token");
    by["resource_token"]->excludes(by["resource_token_env"]);
    by["admin_token"] = cmd->add_option("--admin-token-file", f.admin_token_file,
                                        "File holding the bearer token required on /_admin");
    by["admin_token_env"] =
        cmd->add_option("--admin-token-env", f.admin_token_env,
                        "Environment variable holding the /_admin bearer token");
    by["admin_token"]->excludes(by["admin_token_env"]);
    auto* cert =
        cmd->add_option("--tls-cert", f.tls_cert, "PEM certificate chain: serve HTTPS (TLS 1.2+)");
    auto* key = cmd->add_option("--tls-key", f.tls_key, "PEM private key for --tls-cert");
    cert->needs(key);
    key->needs(cert);
    cmd->add_option("--access-log", f.access_log,
                    "JSON-lines access log file (\"-\" = stdout); never holds tokens");
    by["throttle.global_rate_per_s"] = cmd->add_option("--throttle-rate", f.throttle_rate,
                                                       "Global 429 limit in requests/s (0 = off)")
                                           ->check(CLI::Range(0.0, 1e9))
                                           ->capture_default_str();
    by["throttle.global_burst"] = cmd->add_option("--throttle-burst", f.throttle_burst,
                                                  "Global burst (0 = one second's worth)")
                                      ->check(CLI::Range(0.0, 1e9))
                                      ->capture_default_str();
    by["throttle.per_client_rate_per_s"] =
        cmd->add_option("--throttle-client-rate", f.throttle_client_rate,
                        "Per-client 429 limit in requests/s (0 = off)")
            ->check(CLI::Range(0.0, 1e9))
            ->capture_default_str();
    by["throttle.per_client_burst"] =
        cmd->add_option("--throttle-client-burst", f.throttle_client_burst,
                        "Per-client burst (0 = one second's worth)")
            ->check(CLI::Range(0.0, 1e9))
            ->capture_default_str();
    by["throttle.client_key_header"] =
        cmd->add_option("--throttle-client-header", f.throttle_client_header,
                        "Header naming the client for the per-client limit (else the peer address)")
            ->capture_default_str();

    cmd->callback([flags, given, &exit_code] {
        try {
            exit_code = serve(*flags, *given);
        } catch (const UsageError& e) {
            std::cerr << "conflictlab mock: " << e.what() << "\n";
            exit_code = kExitBadInput;
        } catch (const std::invalid_argument& e) {
            std::cerr << "conflictlab mock: " << e.what() << "\n";
            exit_code = kExitBadInput;
        }
    });
}

}  // namespace conflictlab::cli
