#include "core/token.hpp"

#include "conflictlab/common/etag.hpp"
#include "core/json_pointer.hpp"

namespace conflictlab::engine::detail {

using nlohmann::json;

std::string Token::if_match() const {
    return format_entity_tag(EntityTag{opaque, weak});
}

std::string Token::display() const {
    if (body)
        return body->is_string() ? body->get<std::string>() : body->dump();
    return if_match();
}

bool sink_header(const TargetProfile& p) {
    return p.token_sink == TokenSink::if_match || p.token_sink == TokenSink::both;
}

bool sink_body(const TargetProfile& p) {
    return p.token_sink == TokenSink::body_pointer || p.token_sink == TokenSink::both;
}

namespace {

std::optional<Token> body_token(const TargetProfile& p, const json* body) {
    if (body == nullptr || p.token_pointer.empty())
        return std::nullopt;
    const json* v = find(*body, p.token_pointer);
    if (v == nullptr || v->is_null() || v->is_object() || v->is_array())
        return std::nullopt;
    Token t;
    t.opaque = v->is_string() ? v->get<std::string>() : v->dump();
    t.body = *v;
    return t;
}

// Strict mode cannot send a weak tag; the body token is a fallback only when
// it is actually sent somewhere the server reads it.
TokenRead weak_in_strict(const TargetProfile& p, const json* body, TokenRead r) {
    if (sink_body(p)) {
        if (auto t = body_token(p, body)) {
            t->body_only = true;
            r.token = std::move(t);
            r.note =
                "weak ETag unusable in strict mode; using the body token at " + p.token_pointer;
            return r;
        }
    }
    r.weak_only = true;
    return r;
}

}  // namespace

TokenRead read_token(const TargetProfile& p, const HeaderFields& headers, const json* body) {
    TokenRead r;
    if (p.token_source == TokenSource::body_pointer) {
        r.token = body_token(p, body);
        if (!r.token)
            r.note = "no token in the body at " + p.token_pointer;
        return r;
    }
    auto raw = headers.get("ETag");
    if (!raw) {
        r.note = "missing ETag";
        return r;
    }
    auto tag = parse_entity_tag(*raw);
    if (!tag) {
        r.note = "malformed ETag ignored";
        return r;
    }
    if (tag->weak && p.weak_etag_mode == WeakEtagMode::strict)
        return weak_in_strict(p, body, r);
    r.token = Token{std::move(tag->opaque), tag->weak, std::nullopt, false};
    return r;
}

TokenRead read_base_token(const TargetProfile& p, const std::string& raw) {
    TokenRead r;
    if (p.token_source == TokenSource::body_pointer) {
        r.token = Token{raw, false, json(raw), false};
        return r;
    }
    auto tag = parse_entity_tag(raw);
    if (!tag) {
        r.note = "base token is not a valid entity tag";
        return r;
    }
    if (tag->weak && p.weak_etag_mode == WeakEtagMode::strict) {
        r.weak_only = true;
        r.note = "base token is a weak ETag, unusable in If-Match in strict mode";
        return r;
    }
    r.token = Token{std::move(tag->opaque), tag->weak, std::nullopt, false};
    return r;
}

}  // namespace conflictlab::engine::detail
