#include "conflictlab/mock/server_core.hpp"

#include "admin_handler.hpp"
#include "conflictlab/common/secrets.hpp"
#include "conflictlab/mock/faults/fault_rules.hpp"
#include "core_context.hpp"
#include "fault_application.hpp"
#include "http_util.hpp"

namespace conflictlab::mock {

namespace {

constexpr std::string_view kResources = "/resources";
constexpr std::string_view kAdminPrefix = "/_admin/";
constexpr std::string_view kItemMethods = "GET, HEAD, PUT, PATCH, DELETE";
constexpr std::string_view kCollectionMethods = "GET, HEAD, POST";

std::unique_ptr<Throttle> make_throttle(const ThrottleOptions& options) {
    auto throttle = std::make_unique<Throttle>(options);
    return throttle->enabled() ? std::move(throttle) : nullptr;
}

// nullopt when authorized; else the 401 to answer. The token is compared in
// constant time and never echoed.
std::optional<Response> check_bearer(const Request& request,
                                     const std::optional<std::string>& token,
                                     std::string_view path) {
    if (!token) {
        return std::nullopt;
    }
    auto value = request.headers.get("Authorization");
    std::string_view credentials;
    bool well_formed = false;
    if (value && value->size() > 7 && iequals(value->substr(0, 7), "Bearer ")) {
        credentials = value->substr(7);
        while (!credentials.empty() && credentials.front() == ' ') {
            credentials.remove_prefix(1);
        }
        while (!credentials.empty() && (credentials.back() == ' ' || credentials.back() == '\t')) {
            credentials.remove_suffix(1);
        }
        well_formed = !credentials.empty();
    }
    if (well_formed && constant_time_equal(credentials, *token)) {
        return std::nullopt;
    }
    Response r = make_problem(401, "urn:conflictlab:problem:unauthorized",
                              value ? "the bearer token is not valid for " + std::string(path)
                                    : "a bearer token is required (Authorization: Bearer ...)",
                              path);
    r.headers.add("WWW-Authenticate",
                  value ? R"(Bearer realm="conflictlab-mock", error="invalid_token")"
                        : R"(Bearer realm="conflictlab-mock")");
    return r;
}

Handled method_not_allowed(std::string_view path, std::string_view allow) {
    Handled h{make_problem(405, "about:blank",
                           "allowed methods on " + std::string(path) + ": " + std::string(allow),
                           path)};
    h.response.headers.add("Allow", std::string(allow));
    return h;
}

bool one_of(std::string_view method, std::string_view list) {
    // `list` is "A, B, C"; methods are tokens without commas or spaces.
    while (!list.empty()) {
        const auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        if (item == method) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
        while (!list.empty() && list.front() == ' ') {
            list.remove_prefix(1);
        }
    }
    return false;
}

// The client a throttle bucket belongs to: the configured header, else the
// peer's address without its port.
std::string_view client_key(const Request& request, const ThrottleOptions& options) {
    if (auto value = request.headers.get(options.client_key_header); value && !value->empty()) {
        return *value;
    }
    std::string_view peer = request.peer;
    if (peer.starts_with('[')) {  // "[::1]:8080"
        const auto close = peer.find(']');
        return close == std::string_view::npos ? peer : peer.substr(1, close - 1);
    }
    const auto colon = peer.find(':');
    if (colon != std::string_view::npos && peer.find(':', colon + 1) == std::string_view::npos) {
        peer = peer.substr(0, colon);  // "127.0.0.1:53412"
    }
    return peer;
}

Handled handle_resources(CoreContext& ctx, const Request& request, Target target,
                         std::string_view id) {
    if (auto denied = check_bearer(request, ctx.options.resource_token, target.path)) {
        return {std::move(*denied)};
    }
    const std::string_view allow = id.empty() ? kCollectionMethods : kItemMethods;
    if (!one_of(request.method, allow)) {
        return method_not_allowed(target.path, allow);
    }
    if (request.body.size() > ctx.options.body_limit_bytes) {
        return {make_problem(413, "about:blank",
                             "the body exceeds the limit of " +
                                 std::to_string(ctx.options.body_limit_bytes) + " bytes",
                             target.path)};
    }
    const SteadyTime now = ctx.clock.steady_now();
    if (ctx.throttle) {
        if (auto wait = ctx.throttle->admit(client_key(request, ctx.options.throttle), now)) {
            Handled h{make_problem(429, "urn:conflictlab:problem:throttled",
                                   "rate limit exceeded; retry after the Retry-After delay",
                                   target.path)};
            h.response.headers.add("Retry-After", retry_after_seconds(*wait));
            return h;
        }
    }
    FaultDecision decision;
    if (!ctx.faults.empty()) {
        decision = ctx.faults.evaluate(
            RequestFacts{request.method, target.path, id, request.headers}, now);
    }
    const ResourceCall call{request, target.path, target.query, id};
    return handle_with_faults(ctx, call, decision);
}

Handled dispatch(CoreContext& ctx, const Request& request, std::string_view& resource_id) {
    const Target target = split_target(request.target);
    const std::string_view path = target.path;
    if (path == kResources) {
        return handle_resources(ctx, request, target, {});
    }
    if (path.starts_with(kResources) && path[kResources.size()] == '/') {
        const std::string_view id = path.substr(kResources.size() + 1);
        if (id.empty() || id.find('/') != std::string_view::npos) {
            return {make_problem(404, "urn:conflictlab:problem:not-found",
                                 "no such path: " + std::string(path), path)};
        }
        if (!valid_resource_id(id)) {
            return {make_problem(400, "urn:conflictlab:problem:bad-request",
                                 "resource id: must be 1-256 characters of A-Z a-z 0-9 "
                                 "-._~!$&'()*+,;=:@",
                                 path)};
        }
        resource_id = id;
        return handle_resources(ctx, request, target, id);
    }
    if (path.starts_with(kAdminPrefix)) {
        if (auto denied = check_bearer(request, ctx.options.admin_token, path)) {
            return {std::move(*denied)};
        }
        if (request.body.size() > ctx.options.body_limit_bytes) {
            return {make_problem(413, "about:blank",
                                 "the body exceeds the limit of " +
                                     std::to_string(ctx.options.body_limit_bytes) + " bytes",
                                 path)};
        }
        return handle_admin(ctx, request, path, target.query);
    }
    if (path == "/healthz") {
        if (request.method != "GET" && request.method != "HEAD") {
            return method_not_allowed(path, "GET, HEAD");
        }
        Handled h{json_response(200, R"({"status":"ok"})")};
        h.response.head = request.method == "HEAD";
        return h;
    }
    if (path == "/metrics") {
        if (request.method != "GET" && request.method != "HEAD") {
            return method_not_allowed(path, "GET, HEAD");
        }
        Handled h;
        h.response.status = 200;
        h.response.headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        h.response.body = render_metrics(ctx);
        h.response.head = request.method == "HEAD";
        return h;
    }
    return {make_problem(404, "urn:conflictlab:problem:not-found",
                         "no such path: " + std::string(path), path)};
}

}  // namespace

CoreContext::CoreContext(CoreOptions opts, const Clock& clk)
    : options(std::move(opts)),
      clock(clk),
      version_pointer(options.version_pointer),
      store(StoreOptions{options.store_shards, options.history_limit}),
      etags(options.effective_etag_style(), options.etag_scheme, options.seed),
      alerts(options.alerts_limit),
      faults(options.seed),
      throttle(make_throttle(options.throttle)) {
    if (!options.fault_rules.is_null()) {
        try {
            faults.replace(parse_fault_rules(options.fault_rules), clock.steady_now());
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string("fault_rules: ") + e.what());
        }
    }
}

ServerCore::ServerCore(CoreOptions options, const Clock& clock)
    : context_(std::make_unique<CoreContext>(std::move(options), clock)) {}

ServerCore::~ServerCore() = default;

Response ServerCore::handle(const Request& request) {
    CoreContext& ctx = *context_;
    std::string_view resource_id;
    Handled handled;
    try {
        handled = dispatch(ctx, request, resource_id);
    } catch (const std::exception&) {
        // A bug must cost one request, not the server. Nothing in the request
        // is echoed: it may be what triggered the failure.
        handled = {make_problem(500, "about:blank", "internal error while handling the request",
                                split_target(request.target).path)};
    }
    // HEAD never carries a body on the wire, whatever answered (errors too).
    handled.response.head = handled.response.head || request.method == "HEAD";
    ctx.stats.count_request(request.method, handled.response.status);
    if (handled.conflict != ConflictKind::none) {
        ctx.stats.count_conflict(handled.conflict);
        if (!resource_id.empty()) {
            ctx.store.note_conflict(resource_id);
        }
    }
    return std::move(handled.response);
}

void ServerCore::observe_latency(std::string_view method, int /*status*/,
                                 std::chrono::nanoseconds latency) {
    context_->stats.observe_latency(method, latency);
}

FaultInjector& ServerCore::faults() {
    return context_->faults;
}
EtagGenerator& ServerCore::etags() {
    return context_->etags;
}
const CoreOptions& ServerCore::options() const {
    return context_->options;
}
Store& ServerCore::store() {
    return context_->store;
}

Response problem_response(int status, std::string_view title, std::string_view detail) {
    nlohmann::json body = {
        {"type", "about:blank"},
        {"title", title},
        {"status", status},
        {"detail", detail},
    };
    Response r;
    r.status = status;
    r.headers.add("Content-Type", std::string(kProblemType));
    r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

}  // namespace conflictlab::mock
