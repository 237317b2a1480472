#include "http_util.hpp"
#include "json_body.hpp"
#include "resource_handler.hpp"

namespace conflictlab::mock {

namespace {

using nlohmann::json;

constexpr std::string_view kTypeBadRequest = "urn:conflictlab:problem:bad-request";
constexpr std::string_view kTypeUnsupportedMedia = "urn:conflictlab:problem:unsupported-media-type";
// Generated ids collide with client-chosen ones only by bad luck; a few
// fresh draws settle it, and the loop stays bounded.
constexpr int kIdAttempts = 16;

std::uint64_t mix64(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::string generated_id(CoreContext& ctx) {
    const std::uint64_t n = ctx.id_sequence.fetch_add(1, std::memory_order_relaxed) + 1;
    const std::uint64_t bits = mix64(n ^ mix64(ctx.options.seed ^ 0x1d5c0ffeeULL));
    std::string id = "r-";
    static constexpr std::string_view kHex = "0123456789abcdef";
    for (int shift = 60; shift >= 0; shift -= 4) {
        id.push_back(kHex[(bits >> shift) & 0xf]);
    }
    return id;
}

Handled post_collection(CoreContext& ctx, const ResourceCall& call) {
    if (!has_media_type(call.request.headers, kJsonType)) {
        return {make_problem(415, kTypeUnsupportedMedia,
                             "Content-Type must be " + std::string(kJsonType), call.path)};
    }
    std::string detail;
    auto body = parse_json_body(call.request.body, ctx.options.max_json_depth, detail);
    if (!body) {
        return {make_problem(400, kTypeBadRequest, std::move(detail), call.path)};
    }
    if (!body->is_object()) {
        return {make_problem(400, kTypeBadRequest,
                             "body: must be a JSON object, got " + std::string(body->type_name()),
                             call.path)};
    }
    const std::string writer(call.request.headers.get("X-Writer-Id").value_or(""));
    const std::string op(call.request.headers.get("X-Op-Id").value_or(""));
    for (int attempt = 0; attempt < kIdAttempts; ++attempt) {
        const std::string id = generated_id(ctx);
        std::string error;
        auto decide = [&](const VersionPtr& current) -> VersionPtr {
            if (current) {
                return nullptr;  // taken (or a tombstone): draw another id
            }
            json doc = *body;
            std::string token = ctx.etags.next(id, 1);
            if (ctx.options.dialect == Dialect::body_version &&
                !ctx.version_pointer.put(doc, token, error)) {
                return nullptr;
            }
            return make_next_version(nullptr, std::move(doc), std::move(token),
                                     ctx.clock.wall_now(), ctx.clock.steady_now());
        };
        const VersionPtr written = ctx.store.write(id, {"POST", writer, op}, decide);
        if (!error.empty()) {
            return {make_problem(400, kTypeBadRequest, std::move(error), call.path)};
        }
        if (written) {
            Response r = representation_response(ctx, 201, *written);
            r.headers.add("Location", "/resources/" + id);
            return {std::move(r)};
        }
    }
    return {make_problem(503, "about:blank", "could not allocate a fresh resource id; retry",
                         call.path)};
}

Handled list_collection(CoreContext& ctx, const ResourceCall& call) {
    std::size_t limit = ctx.options.page_limit_default;
    if (auto text = query_param(call.query, "limit")) {
        auto value = parse_positive(*text, SIZE_MAX / 2);
        if (!value) {
            return {make_problem(
                400, kTypeBadRequest,
                "limit: must be a positive integer, got \"" + std::string(*text) + "\"",
                call.path)};
        }
        limit = std::min(*value, ctx.options.page_limit_max);  // bounded, never an error
    }
    std::string after;
    if (auto text = query_param(call.query, "cursor"); text && !text->empty()) {
        auto decoded = hex_decode(*text);
        if (!decoded || decoded->empty() || !valid_resource_id(*decoded)) {
            return {make_problem(400, kTypeBadRequest,
                                 "cursor: malformed; use the `next` link of the previous page",
                                 call.path)};
        }
        after = std::move(*decoded);
    }
    const StorePage page = ctx.store.list(after, limit);
    // Bodies are already serialized: splice them in instead of re-encoding.
    std::string out = "{\"items\":[";
    bool first = true;
    for (const auto& [id, version] : page.items) {
        if (!first) {
            out += ',';
        }
        first = false;
        out += "{\"id\":";
        out += json(id).dump();
        out += ",\"etag\":";
        out += json(ctx.etags.format(version->etag)).dump();
        out += ",\"body\":";
        out += version->body_text;
        out += '}';
    }
    out += ']';
    if (page.more && !page.items.empty()) {
        out += ",\"next\":";
        out += json("/resources?limit=" + std::to_string(limit) +
                    "&cursor=" + hex_encode(page.items.back().first))
                   .dump();
    }
    out += '}';
    Response r = json_response(200, std::move(out));
    r.head = call.request.method == "HEAD";
    return {std::move(r)};
}

}  // namespace

Handled handle_collection(CoreContext& ctx, const ResourceCall& call) {
    if (call.request.method == "POST") {
        return post_collection(ctx, call);
    }
    return list_collection(ctx, call);
}

}  // namespace conflictlab::mock
