#include "resource_handler.hpp"

#include "conflictlab/common/json_text.hpp"
#include "http_util.hpp"
#include "json_body.hpp"
#include "preconditions.hpp"

namespace conflictlab::mock {

namespace {

using nlohmann::json;

constexpr std::string_view kTypeNotFound = "urn:conflictlab:problem:not-found";
constexpr std::string_view kTypeDeleted = "urn:conflictlab:problem:deleted";
constexpr std::string_view kTypeBadRequest = "urn:conflictlab:problem:bad-request";
constexpr std::string_view kTypeUnsupportedMedia = "urn:conflictlab:problem:unsupported-media-type";
constexpr std::string_view kTypePreconditionFailed = "urn:conflictlab:problem:precondition-failed";
constexpr std::string_view kTypePreconditionRequired =
    "urn:conflictlab:problem:precondition-required";
constexpr std::string_view kTypeBusy = "urn:conflictlab:problem:resource-busy";
constexpr std::string_view kTypeVersionConflict = "urn:conflictlab:problem:version-conflict";
constexpr std::string_view kTypeUnprocessable = "urn:conflictlab:problem:unprocessable-patch";

// Why a write was declined under the lock. The response is built after the
// lock is released, from this and the version that was met.
struct Rejection {
    enum Kind {
        none,
        missing,                // 404 / deleted_status
        precondition_required,  // 428
        busy,                   // 409 busy
        none_match,             // 412 If-None-Match matched
        if_match_failed,        // conflict_status
        token_mismatch,         // 409 body-version token missing or stale
        token_on_missing,       // 409 body-version token names no version
        unprocessable,          // 422 patch could not be applied
        bad_request,            // 400
    };
    Kind kind = none;
    VersionPtr current;
    std::string detail;  // for unprocessable / bad_request
};

bool live(const VersionPtr& v) noexcept {
    return v && v->live();
}

std::string quoted(std::string_view id) {
    return "'" + std::string(id) + "'";
}

std::string writer_of(const Request& request) {
    return std::string(request.headers.get("X-Writer-Id").value_or(""));
}

std::string op_of(const Request& request) {
    return std::string(request.headers.get("X-Op-Id").value_or(""));
}

// Who makes a client write and what precondition it carried, as the history
// records it (WriteInfo): the If-Match value as sent, else the body-version
// token; conditional also for If-None-Match alone.
struct ClientWrite {
    std::string writer;
    std::string op;
    std::string named;
    bool conditional = false;

    WriteInfo info(std::string_view method) const {
        return {.method = method,
                .writer_id = writer,
                .op_id = op,
                .named_etag = named,
                .conditional = conditional};
    }
};

ClientWrite client_write(const Request& request, const Preconditions& pre, const json* token) {
    ClientWrite w{writer_of(request), op_of(request), {}, false};
    if (pre.if_match) {
        w.named = request.headers.get_combined("If-Match").value_or("");
        w.conditional = true;
    } else if (token != nullptr && token->is_string()) {
        w.named = token->get<std::string>();
        w.conditional = true;
    } else if (pre.if_none_match) {
        w.conditional = true;
    }
    return w;
}

// The body-version token a patch names: the member at the pointer for a
// merge patch, the value of a `test` of the pointer for a JSON Patch.
const json* patch_token(const CoreContext& ctx, const json& patch, bool merge) {
    if (merge) {
        return ctx.version_pointer.find(patch);
    }
    for (const auto& op_doc : patch) {
        if (op_doc.is_object() && op_doc.value("op", "") == "test" &&
            op_doc.value("path", "") == ctx.version_pointer.text()) {
            const auto value = op_doc.find("value");
            return value == op_doc.end() ? nullptr : &*value;
        }
    }
    return nullptr;
}

bool in_busy_window(const CoreContext& ctx, const VersionPtr& current, SteadyTime now) {
    return ctx.options.busy_window.count() > 0 && current &&
           now - current->written_at < ctx.options.busy_window;
}

// The checks a write to an existing (live) resource goes through, in the
// documented order. `has_token` says whether the request carries a
// body-version token (counts as a precondition for 428).
Rejection::Kind check_existing(const CoreContext& ctx, const Preconditions& pre,
                               const VersionPtr& current, bool has_token, SteadyTime now) {
    if (ctx.options.require_precondition && !pre.if_match && !pre.if_none_match && !has_token) {
        return Rejection::precondition_required;
    }
    if (in_busy_window(ctx, current, now)) {
        return Rejection::busy;
    }
    if (pre.if_none_match && if_none_match_matches(*pre.if_none_match, current.get())) {
        return Rejection::none_match;
    }
    if (pre.if_match &&
        !if_match_passes(*pre.if_match, current.get(), ctx.options.lenient_weak_match)) {
        return Rejection::if_match_failed;
    }
    return Rejection::none;
}

// The rejections of a write that its content cannot change: the resource is
// missing (for a method that does not create), busy, or the conditional
// headers fail. `creates`: PUT, which may create a missing resource.
Rejection::Kind precondition_rejection(const CoreContext& ctx, const Preconditions& pre,
                                       const VersionPtr& current, bool creates, bool has_token,
                                       SteadyTime now) {
    if (!live(current)) {
        if (!creates) {
            return Rejection::missing;
        }
        if (in_busy_window(ctx, current, now)) {
            return Rejection::busy;
        }
        if (pre.if_match) {
            return Rejection::if_match_failed;  // RFC 9110 13.1.1: no representation
        }
        return Rejection::none;
    }
    return check_existing(ctx, pre, current, has_token, now);
}

// RFC 9110 13.2.1: preconditions are evaluated before the request content is
// processed. In the header dialects they do not depend on the content, so a
// write that cannot pass them is answered from a snapshot of the current
// version, before its body is parsed: under contention most writes are such
// 412s, and parsing their bodies was most of what they cost. The answer is
// the one the write meets at the instant of the snapshot, as a read would be;
// the locked decision still re-checks everything for a write that passes.
// Not in the body-version dialect, whose token is in the content.
std::optional<Rejection> reject_before_content(CoreContext& ctx, const ResourceCall& call,
                                               const Preconditions& pre, bool creates,
                                               SteadyTime now) {
    if (ctx.options.dialect == Dialect::body_version) {
        return std::nullopt;
    }
    VersionPtr snapshot = ctx.store.get(call.id);
    const Rejection::Kind kind =
        precondition_rejection(ctx, pre, snapshot, creates, /*has_token=*/false, now);
    if (kind == Rejection::none) {
        return std::nullopt;
    }
    return Rejection{kind, std::move(snapshot), {}};
}

// Whether `body`'s token (body-version) is the current one.
bool token_is_current(const json* token, const ResourceVersion& current) {
    return token != nullptr && token->is_string() &&
           token->get_ref<const std::string&>() == current.etag;
}

json conflict_extra(const CoreContext& ctx, const VersionPtr& current) {
    json extra = json::object();
    if (live(current)) {
        extra["current_etag"] = ctx.etags.format(current->etag);
    }
    return extra;
}

Handled rejection_response(const CoreContext& ctx, const ResourceCall& call, const Rejection& r) {
    const auto& o = ctx.options;
    const std::string id = quoted(call.id);
    switch (r.kind) {
        case Rejection::missing:
            return {missing_response(ctx, call, r.current.get())};
        case Rejection::precondition_required:
            return {
                make_problem(428, kTypePreconditionRequired,
                             "writes to an existing resource must be conditional: send If-Match" +
                                 (o.dialect == Dialect::body_version
                                      ? " or the current token at " + ctx.version_pointer.text()
                                      : std::string()),
                             call.path),
                ConflictKind::precondition_required};
        case Rejection::busy: {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                r.current->written_at + o.busy_window - ctx.clock.steady_now());
            json extra = conflict_extra(ctx, r.current);
            extra["busy_for_ms"] = std::max<std::int64_t>(left.count(), 0);
            return {make_problem(409, kTypeBusy,
                                 "resource busy: " + id + " accepted a write less than " +
                                     std::to_string(o.busy_window.count()) + " ms ago; retry later",
                                 call.path, extra),
                    ConflictKind::busy};
        }
        case Rejection::none_match:
            return {make_problem(412, kTypePreconditionFailed,
                                 "If-None-Match: resource " + id +
                                     " has a current representation that matches",
                                 call.path, conflict_extra(ctx, r.current)),
                    ConflictKind::precondition_failed};
        case Rejection::if_match_failed: {
            std::string detail =
                live(r.current)
                    ? "If-Match: no listed entity tag strongly matches the current one of " + id
                    : "If-Match: resource " + id + " has no current representation";
            return {make_problem(o.conflict_status, kTypePreconditionFailed, std::move(detail),
                                 call.path, conflict_extra(ctx, r.current)),
                    o.conflict_status == 409 ? ConflictKind::conflict
                                             : ConflictKind::precondition_failed};
        }
        case Rejection::token_mismatch:
        case Rejection::token_on_missing: {
            // Shaped like CouchDB's and Kubernetes' answers, plus the problem members.
            json extra = conflict_extra(ctx, r.current);
            extra["error"] = "conflict";
            extra["reason"] = "Document update conflict.";
            if (live(r.current)) {
                extra["current_version"] = r.current->etag;
            }
            std::string detail = r.kind == Rejection::token_mismatch
                                     ? "the version token at " + ctx.version_pointer.text() +
                                           " is missing or is not the current version of " + id
                                     : "resource " + id +
                                           " does not exist; omit the version token at " +
                                           ctx.version_pointer.text() + " to create it";
            return {make_problem(409, kTypeVersionConflict, std::move(detail), call.path, extra),
                    ConflictKind::conflict};
        }
        case Rejection::unprocessable:
            return {make_problem(422, kTypeUnprocessable, r.detail, call.path)};
        case Rejection::bad_request:
        case Rejection::none:
            break;
    }
    return {make_problem(400, kTypeBadRequest, r.detail, call.path)};
}

Handled bad_request(const ResourceCall& call, std::string detail) {
    return {make_problem(400, kTypeBadRequest, std::move(detail), call.path)};
}

Handled unsupported_media(const ResourceCall& call, std::string_view expected) {
    return {make_problem(415, kTypeUnsupportedMedia,
                         "Content-Type must be " + std::string(expected), call.path)};
}

// Parses the conditional headers; a malformed one is a 400 naming it.
std::optional<Handled> read_preconditions(const ResourceCall& call, Preconditions& pre) {
    if (auto bad = parse_preconditions(call.request.headers, pre)) {
        return bad_request(
            call, std::string(*bad) + ": malformed value; expected \"*\" or a list of entity tags");
    }
    return std::nullopt;
}

// Reads the conditional headers into `pre` and answers what is decided
// before the body is read: a malformed header (400), or a write whose
// preconditions fail on the current version (reject_before_content).
std::optional<Handled> answer_before_content(CoreContext& ctx, const ResourceCall& call,
                                             Preconditions& pre, bool creates, SteadyTime now) {
    if (auto bad = read_preconditions(call, pre)) {
        return bad;
    }
    if (auto early = reject_before_content(ctx, call, pre, creates, now)) {
        return rejection_response(ctx, call, *early);
    }
    return std::nullopt;
}

// The body as a JSON object, or the 400 to answer.
std::optional<json> read_object_body(const CoreContext& ctx, const ResourceCall& call,
                                     std::optional<Handled>& error) {
    std::string detail;
    auto body = parse_json_body(call.request.body, ctx.options.max_json_depth, detail);
    if (!body) {
        error = bad_request(call, std::move(detail));
        return std::nullopt;
    }
    if (!body->is_object()) {
        error =
            bad_request(call, "body: must be a JSON object, got " + std::string(body->type_name()));
        return std::nullopt;
    }
    return body;
}

// Builds the next version with a fresh token (written into the body in the
// body-version dialect). Returns null with `rejection` set when the token
// cannot be placed.
VersionPtr next_version(CoreContext& ctx, std::string_view id, const VersionPtr& current, json body,
                        Rejection& rejection) {
    const std::uint64_t version = (current ? current->version : 0) + 1;
    std::string token = ctx.etags.next(id, version);
    if (ctx.options.dialect == Dialect::body_version) {
        std::string error;
        if (!ctx.version_pointer.put(body, token, error)) {
            rejection = {Rejection::bad_request, current, std::move(error)};
            return nullptr;
        }
    }
    return make_next_version(current, std::move(body), std::move(token), ctx.clock.wall_now(),
                             ctx.clock.steady_now());
}

Response written_response(const CoreContext& ctx, const ResourceCall& call, bool created,
                          const ResourceVersion& version) {
    Response r = representation_response(ctx, created ? 201 : 200, version);
    if (created) {
        r.headers.add("Location", "/resources/" + std::string(call.id));
    }
    return r;
}

Handled get_item(CoreContext& ctx, const ResourceCall& call) {
    Preconditions pre;
    if (auto error = read_preconditions(call, pre)) {
        return *error;
    }
    const VersionPtr current = ctx.store.get(call.id);
    if (!live(current)) {
        return {missing_response(ctx, call, current.get())};
    }
    // RFC 9110 13.2.2: If-Match first, then If-None-Match.
    if (pre.if_match &&
        !if_match_passes(*pre.if_match, current.get(), ctx.options.lenient_weak_match)) {
        return {make_problem(412, kTypePreconditionFailed,
                             "If-Match: no listed entity tag strongly matches the current one of " +
                                 quoted(call.id),
                             call.path, conflict_extra(ctx, current)),
                ConflictKind::precondition_failed};
    }
    if (pre.if_none_match && if_none_match_matches(*pre.if_none_match, current.get())) {
        Response r;
        r.status = 304;
        r.headers.add("ETag", ctx.etags.format(current->etag));
        r.headers.add("Last-Modified", format_http_date(current->last_modified));
        r.head = call.request.method == "HEAD";
        return {std::move(r)};
    }
    Response r = representation_response(ctx, 200, *current);
    r.head = call.request.method == "HEAD";
    return {std::move(r)};
}

Handled put_item(CoreContext& ctx, const ResourceCall& call) {
    if (!has_media_type(call.request.headers, kJsonType)) {
        return unsupported_media(call, kJsonType);
    }
    Preconditions pre;
    const SteadyTime now = ctx.clock.steady_now();
    if (auto answered = answer_before_content(ctx, call, pre, /*creates=*/true, now)) {
        return *answered;
    }
    std::optional<Handled> error;
    auto body = read_object_body(ctx, call, error);
    if (!body) {
        return *error;
    }
    // A rejected write drops its body: free it leaves first (release_json).
    struct Release {
        std::optional<json>& doc;
        ~Release() {
            if (doc)
                release_json(*doc);
        }
    } release{body};
    const bool body_version = ctx.options.dialect == Dialect::body_version;
    const json* token = body_version ? ctx.version_pointer.find(*body) : nullptr;
    const ClientWrite who = client_write(call.request, pre, token);

    Rejection rejection;
    bool created = false;
    auto decide = [&](const VersionPtr& current) -> VersionPtr {
        rejection.current = current;
        rejection.kind =
            precondition_rejection(ctx, pre, current, /*creates=*/true, token != nullptr, now);
        if (rejection.kind == Rejection::none && body_version) {
            if (!live(current)) {
                if (token != nullptr)
                    rejection.kind = Rejection::token_on_missing;
            } else if (!token_is_current(token, *current)) {
                rejection.kind = Rejection::token_mismatch;
            }
        }
        if (rejection.kind != Rejection::none) {
            return nullptr;
        }
        created = !live(current);
        return next_version(ctx, call.id, current, std::move(*body), rejection);
    };
    const VersionPtr written = ctx.store.write(call.id, who.info("PUT"), decide);
    if (!written) {
        return rejection_response(ctx, call, rejection);
    }
    return {written_response(ctx, call, created, *written)};
}

// Applies a merge patch or JSON patch to a copy of `base`. On failure sets
// `rejection` (400 malformed patch document, 422 cannot be applied).
std::optional<json> apply_patch(const json& base, const json& patch, bool merge,
                                Rejection& rejection) {
    try {
        json result = base;
        if (merge) {
            result.merge_patch(patch);
        } else {
            result = result.patch(patch);
        }
        if (!result.is_object()) {
            rejection = {
                Rejection::unprocessable, nullptr,
                "patch: the result must be a JSON object, got " + std::string(result.type_name())};
            return std::nullopt;
        }
        return result;
    } catch (const json::parse_error& e) {
        // RFC 5789: a malformed patch document is a 400.
        rejection = {Rejection::bad_request, nullptr, std::string("patch: malformed: ") + e.what()};
    } catch (const json::exception& e) {
        // Well formed but not applicable to this resource (failed `test`,
        // missing path): 422 Unprocessable Content.
        rejection = {Rejection::unprocessable, nullptr,
                     std::string("patch: cannot be applied: ") + e.what()};
    }
    return std::nullopt;
}

Handled patch_item(CoreContext& ctx, const ResourceCall& call) {
    const bool merge = has_media_type(call.request.headers, kMergePatchType);
    if (!merge && !has_media_type(call.request.headers, kJsonPatchType)) {
        Handled h = unsupported_media(
            call, std::string(kMergePatchType) + " or " + std::string(kJsonPatchType));
        h.response.headers.add("Accept-Patch",
                               std::string(kMergePatchType) + ", " + std::string(kJsonPatchType));
        return h;
    }
    Preconditions pre;
    const SteadyTime now = ctx.clock.steady_now();
    if (auto answered = answer_before_content(ctx, call, pre, /*creates=*/false, now)) {
        return *answered;
    }
    std::string detail;
    auto patch = parse_json_body(call.request.body, ctx.options.max_json_depth, detail);
    if (!patch) {
        return bad_request(call, std::move(detail));
    }
    if (!merge && !patch->is_array()) {
        return bad_request(call, "body: a JSON Patch must be an array of operations, got " +
                                     std::string(patch->type_name()));
    }
    const bool body_version = ctx.options.dialect == Dialect::body_version;
    const bool has_token =
        body_version && (merge ? ctx.version_pointer.named_by_merge_patch(*patch)
                               : ctx.version_pointer.named_by_json_patch(*patch));
    const ClientWrite who =
        client_write(call.request, pre, body_version ? patch_token(ctx, *patch, merge) : nullptr);

    Rejection rejection;
    auto decide = [&](const VersionPtr& current) -> VersionPtr {
        rejection.current = current;
        rejection.kind =
            precondition_rejection(ctx, pre, current, /*creates=*/false, has_token, now);
        if (rejection.kind != Rejection::none) {
            return nullptr;
        }
        auto result = apply_patch(current->body, *patch, merge, rejection);
        if (!result) {
            rejection.current = current;
            if (body_version && !merge && rejection.kind == Rejection::unprocessable) {
                // A failed `test` of the version token is a version conflict
                // (a `test` without a value is malformed: 400, not here).
                if (const json* named = patch_token(ctx, *patch, false);
                    named != nullptr && *named != json(current->etag)) {
                    rejection.kind = Rejection::token_mismatch;
                }
            }
            return nullptr;
        }
        if (body_version && !token_is_current(ctx.version_pointer.find(*result), *current)) {
            rejection.kind = Rejection::token_mismatch;
            return nullptr;
        }
        return next_version(ctx, call.id, current, std::move(*result), rejection);
    };
    const VersionPtr written = ctx.store.write(call.id, who.info("PATCH"), decide);
    if (!written) {
        return rejection_response(ctx, call, rejection);
    }
    return {written_response(ctx, call, false, *written)};
}

Handled delete_item(CoreContext& ctx, const ResourceCall& call) {
    Preconditions pre;
    if (auto bad = read_preconditions(call, pre)) {
        return *bad;
    }
    const ClientWrite who = client_write(call.request, pre, nullptr);
    const SteadyTime now = ctx.clock.steady_now();
    Rejection rejection;
    auto decide = [&](const VersionPtr& current) -> VersionPtr {
        rejection.current = current;
        if (!live(current)) {
            rejection.kind = Rejection::missing;
            return nullptr;
        }
        rejection.kind = check_existing(ctx, pre, current, false, now);
        if (rejection.kind != Rejection::none) {
            return nullptr;
        }
        return make_tombstone(current, ctx.clock.wall_now(), ctx.clock.steady_now());
    };
    if (!ctx.store.write(call.id, who.info("DELETE"), decide)) {
        return rejection_response(ctx, call, rejection);
    }
    Response r;
    r.status = 204;
    return {std::move(r)};
}

}  // namespace

Response representation_response(const CoreContext& ctx, int status,
                                 const ResourceVersion& version) {
    Response r = json_response(status, version.body_text);
    r.headers.add("ETag", ctx.etags.format(version.etag));
    r.headers.add("Last-Modified", format_http_date(version.last_modified));
    return r;
}

Response missing_response(const CoreContext& ctx, const ResourceCall& call,
                          const ResourceVersion* current) {
    if (current != nullptr && current->deleted) {
        const std::string when = format_rfc3339(current->last_modified);
        return make_problem(ctx.options.deleted_status, kTypeDeleted,
                            "resource " + quoted(call.id) + " was deleted at " + when, call.path,
                            {{"deleted_at", when}});
    }
    return make_problem(404, kTypeNotFound, "resource " + quoted(call.id) + " does not exist",
                        call.path);
}

Handled handle_item(CoreContext& ctx, const ResourceCall& call) {
    const std::string& method = call.request.method;
    if (method == "GET" || method == "HEAD") {
        return get_item(ctx, call);
    }
    if (method == "PUT") {
        return put_item(ctx, call);
    }
    if (method == "PATCH") {
        return patch_item(ctx, call);
    }
    return delete_item(ctx, call);
}

}  // namespace conflictlab::mock
