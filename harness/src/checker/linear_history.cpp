// linear-history: the server's version chain of one resource is unbroken.
// Each write replaced the version its predecessor produced, a conditional
// write replaced exactly the version it named, and no ETag was produced twice
// (a repeated token would let a stale If-Match succeed: ABA).

#include <algorithm>
#include <string>
#include <unordered_map>

#include "check_context.hpp"
#include "conflictlab/common/etag.hpp"

namespace conflictlab::harness::checker_detail {

namespace {

// Tokens compare by their opaque part: the history may hold a token as sent
// on the wire ("x", W/"x", unquoted x) or bare.
bool same_token(std::string_view a, std::string_view b) {
    if (a == b)
        return true;
    if (a.empty() || b.empty())
        return false;
    const auto ta = parse_entity_tag(a);
    const auto tb = parse_entity_tag(b);
    return ta && tb && ta->opaque == tb->opaque;
}

// Whether a write's precondition names `token`: the bare body-version token,
// or a member of the If-Match list as sent.
bool names_token(std::string_view named, std::string_view token) {
    if (same_token(named, token))
        return true;
    const auto list = parse_entity_tag_condition(named);
    if (!list)
        return false;
    if (list->any)
        return true;
    const auto parsed = parse_entity_tag(token);
    const std::string_view opaque = parsed ? std::string_view(parsed->opaque) : token;
    return std::any_of(list->tags.begin(), list->tags.end(),
                       [&](const EntityTag& tag) { return tag.opaque == opaque; });
}

std::string in_quotes(std::string_view token) {
    return token.empty() ? std::string("(none)") : "\"" + std::string(token) + "\"";
}

std::vector<std::string> op_ids_of(const ServerWrite& w) {
    if (w.op_id.empty())
        return {};
    return {w.op_id};
}

std::string write_name(const ServerWrite& w) {
    std::string name = "write version " + std::to_string(w.version);
    if (!w.op_id.empty())
        name += " (op \"" + w.op_id + "\")";
    return name;
}

}  // namespace

void check_linear_history(const ResourceFacts& r, AnomalySink& sink) {
    const auto& writes = r.server->writes;
    std::unordered_map<std::string_view, std::size_t> produced;  // etag -> write index
    produced.reserve(writes.size());
    const auto emit = [&](const ServerWrite& w, std::vector<std::string> versions,
                          std::string detail) {
        sink.report(kLinearHistory, r.id, w.op_id, [&] {
            return Anomaly{std::string(kLinearHistory), std::string(r.id), op_ids_of(w),
                           std::move(versions), std::move(detail)};
        });
    };

    for (std::size_t j = 0; j < writes.size(); ++j) {
        const ServerWrite& w = writes[j];
        if (j == 0) {
            // With nothing dropped the history starts at the creation; after
            // the cap dropped writes, the first replaced token is simply older.
            if (r.server->dropped == 0 && !w.replaced_etag.empty()) {
                emit(w, {w.replaced_etag, w.etag},
                     write_name(w) + " replaced " + in_quotes(w.replaced_etag) +
                         ", a version the history never produced (no write was dropped)");
            }
        } else if (const ServerWrite& prev = writes[j - 1];
                   !same_token(w.replaced_etag, prev.etag)) {
            emit(w, {prev.etag, w.replaced_etag, w.etag},
                 write_name(w) + " replaced " + in_quotes(w.replaced_etag) +
                     " but the previous write (version " + std::to_string(prev.version) +
                     ") produced " + in_quotes(prev.etag));
        }

        if (w.conditional && !w.named_etag.empty() && !names_token(w.named_etag, w.replaced_etag)) {
            emit(w, {w.named_etag, w.replaced_etag, w.etag},
                 "conditional " + write_name(w) + " named " + in_quotes(w.named_etag) +
                     " but replaced " + in_quotes(w.replaced_etag));
        }

        if (w.etag.empty())
            continue;  // deletions produce no token
        if (const auto [it, inserted] = produced.emplace(w.etag, j); !inserted) {
            emit(w, {w.etag},
                 write_name(w) + " produced " + in_quotes(w.etag) +
                     ", already produced by version " + std::to_string(writes[it->second].version));
        }
    }
}

}  // namespace conflictlab::harness::checker_detail
