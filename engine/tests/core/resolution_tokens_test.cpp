// Target profiles: ETag formats, weak ETags (strict and lenient), body tokens
// (_rev, metadata.resourceVersion), missing tokens and garbage bodies.
#include <gtest/gtest.h>

#include "script.hpp"

namespace conflictlab::engine::testing {
namespace {

const json kPayload = {{"name", "new"}, {"updatedAt", "2026-01-01T10:00:05Z"}};
const json kOlder = {{"name", "old"}, {"updatedAt", "2026-01-01T10:00:00Z"}};

TEST(EtagFormats, StrongThenUnquoted_IfMatchIsTheQuotedFreshTag) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_response(response(409));
    const auto retry = request_of(r.on_response(response(200, kOlder, "v2")));
    EXPECT_EQ(header(retry, "If-Match"), "\"v2\"");
}

TEST(EtagFormats, UnquotedBaseToken_NormalisedToQuoted) {
    StubRandom random;
    Resolution r(put_update(kPayload, "v1"), quick_policy(), random);
    EXPECT_EQ(header(request_of(r.start()), "If-Match"), "\"v1\"");
}

TEST(EtagFormats, MalformedBaseToken_FetchesAUsableOneFirst) {
    StubRandom random;
    Resolution r(put_update(kPayload, "\"bad tag"), quick_policy(), random);
    const auto first = request_of(r.start());
    EXPECT_EQ(first.method, "GET");
    const auto write = request_of(r.on_response(response(200, kOlder, "\"v2\"")));
    EXPECT_EQ(header(write, "If-Match"), "\"v2\"");
    const auto o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.path, "fetch-token>overwrite>retry");
    EXPECT_EQ(o.kind, OutcomeKind::resolved);
    EXPECT_EQ(o.notes, std::vector<std::string>{"base token is not a valid entity tag"});
}

// RFC 9110 13.1.1: "An origin server MUST use the strong comparison function
// when comparing entity tags for If-Match", so a weak tag never matches.
TEST(Rfc9110_IfMatch, WeakOnlyServer_StrictMode_FailsWeakEtagOnlyWithoutLooping) {
    StubRandom random;
    Resolution r(put_update(kPayload, "W/\"v1\""), quick_policy(), random);
    EXPECT_EQ(request_of(r.start()).method, "GET");  // never an unconditional write
    const auto o = outcome_of(r.on_response(response(200, kOlder, "W/\"v2\"")));
    EXPECT_EQ(o.kind, OutcomeKind::failed);
    EXPECT_EQ(o.reason, FailureReason::weak_etag_only);
    EXPECT_EQ(o.attempts, 0);
    EXPECT_NE(o.detail.find("weak_etag_mode"), std::string::npos);
    EXPECT_TRUE(o.alert);
}

TEST(Rfc9110_IfMatch, WeakAfterConflict_StrictMode_FailsWeakEtagOnly) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_response(response(409));
    const auto o = outcome_of(r.on_response(response(200, kOlder, "W/\"v2\"")));
    EXPECT_EQ(o.reason, FailureReason::weak_etag_only);
    EXPECT_EQ(o.attempts, 1);
}

TEST(Rfc9110_IfMatch, WeakOnlyButStaleUpdate_StillDiscardedCleanly) {
    StubRandom random;
    Resolution r(put_update(kPayload, "W/\"v1\""), quick_policy(), random);
    r.start();
    json newer = {{"name", "x"}, {"updatedAt", "2026-01-01T11:00:00Z"}};
    EXPECT_EQ(outcome_of(r.on_response(response(200, newer, "W/\"v2\""))).kind,
              OutcomeKind::discarded);
}

TEST(Rfc9110_IfMatch, WeakOnlyServer_LenientMode_SendsTheWeakTag) {
    StubRandom random;
    Policy p = quick_policy();
    p.target.weak_etag_mode = WeakEtagMode::lenient;
    Resolution r(put_update(kPayload, "W/\"v1\""), p, random);
    EXPECT_EQ(header(request_of(r.start()), "If-Match"), "W/\"v1\"");
    r.on_response(response(409));
    const auto retry = request_of(r.on_response(response(200, kOlder, "W/\"v2\"")));
    EXPECT_EQ(header(retry, "If-Match"), "W/\"v2\"");
    EXPECT_EQ(outcome_of(r.on_response(response(200, nullptr, "W/\"v3\""))).token_after,
              "W/\"v3\"");
}

TEST(Rfc9110_IfMatch, WeakEtagInStrictMode_FallsBackToTheBodyToken) {
    StubRandom random;
    Policy p = quick_policy();
    p.target.token_pointer = "/_rev";
    p.target.token_sink = TokenSink::both;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    r.on_response(response(409));
    json current = kOlder;
    current["_rev"] = "7-abc";
    const auto retry = request_of(r.on_response(response(200, current, "W/\"v2\"")));
    EXPECT_EQ(header(retry, "If-Match"), "<absent>");  // the weak tag would never match
    EXPECT_EQ(body_of(retry)["_rev"], "7-abc");
}

// A target whose token lives in the body at `pointer` (CouchDB's _rev,
// Kubernetes' resourceVersion), sent back in the body or also as If-Match.
Policy body_token_policy(const std::string& pointer, TokenSink sink = TokenSink::body_pointer) {
    Policy p = quick_policy();
    p.target.token_source = TokenSource::body_pointer;
    p.target.token_sink = sink;
    p.target.token_pointer = pointer;
    return p;
}

// CouchDB style: the revision lives in the document as _rev.
TEST(BodyToken, CouchDbRev_ReadFromAndWrittenToTheBody) {
    StubRandom random;
    Policy p = body_token_policy("/_rev");
    Resolution r(put_update(kPayload, "1-aaa"), p, random);
    const auto first = request_of(r.start());
    EXPECT_EQ(header(first, "If-Match"), "<absent>");
    EXPECT_EQ(body_of(first)["_rev"], "1-aaa");
    r.on_response(response(409));
    json current = kOlder;
    current["_rev"] = "2-bbb";
    const auto retry = request_of(r.on_response(response(200, current)));
    EXPECT_EQ(body_of(retry)["_rev"], "2-bbb");
    EXPECT_EQ(body_of(retry)["name"], "new");
    const auto o = outcome_of(r.on_response(response(201, {{"ok", true}, {"_rev", "3-ccc"}})));
    EXPECT_EQ(o.token_before, "1-aaa");
    EXPECT_EQ(o.token_after, "3-ccc");
}

// A resend after a transient failure repeats the write byte for byte (token
// included, counted as an attempt); once a conflict brings a new token, the
// body is rebuilt around it, never resent with the old one.
TEST(BodyToken, TransientResendRepeatsTheBodyUntilTheTokenChanges) {
    StubRandom random;
    Policy p = body_token_policy("/_rev");
    p.max_attempts = 5;
    Resolution r(put_update(kPayload, "1-aaa"), p, random);
    // 503, then the timer if the backoff asked for a sleep: the next request.
    auto resend_after_503 = [&r] {
        Action next = r.on_response(response(503));
        return request_of(std::holds_alternative<Sleep>(next) ? r.on_timer() : std::move(next));
    };
    const auto first = request_of(r.start());
    const auto resent = resend_after_503();
    EXPECT_EQ(resent.body, first.body);
    EXPECT_EQ(body_of(resent)["_rev"], "1-aaa");
    r.on_response(response(409));
    json current = kOlder;
    current["_rev"] = "2-bbb";
    const auto retry = request_of(r.on_response(response(200, current)));
    EXPECT_EQ(body_of(retry)["_rev"], "2-bbb");
    EXPECT_EQ(resend_after_503().body, retry.body);
    const auto o = outcome_of(r.on_response(response(201, {{"ok", true}, {"_rev", "3-ccc"}})));
    EXPECT_EQ(o.attempts, 4);
    EXPECT_EQ(o.token_after, "3-ccc");
}

// Kubernetes style: metadata.resourceVersion in the body, nested objects
// created when the payload lacks them; also sent as If-Match ("both").
TEST(BodyToken, KubernetesResourceVersion_NestedPointer) {
    StubRandom random;
    Policy p = body_token_policy("/metadata/resourceVersion", TokenSink::both);
    Resolution r(put_update(kPayload, "41"), p, random);
    const auto first = request_of(r.start());
    EXPECT_EQ(body_of(first)["metadata"]["resourceVersion"], "41");
    EXPECT_EQ(header(first, "If-Match"), "\"41\"");
    r.on_response(response(409));
    json current = kOlder;
    current["metadata"] = {{"resourceVersion", "42"}, {"name", "doc-1"}};
    const auto retry = request_of(r.on_response(response(200, current)));
    EXPECT_EQ(body_of(retry)["metadata"]["resourceVersion"], "42");
    EXPECT_EQ(header(retry, "If-Match"), "\"42\"");
}

TEST(BodyToken, AlreadyAppliedIgnoresTheTokenField) {
    StubRandom random;
    Policy p = body_token_policy("/_rev");
    Resolution r(put_update(kPayload, "1-aaa"), p, random);
    r.start();
    r.on_transport_error(transport(TransportErrorKind::timeout, true));
    json current = kPayload;
    current["_rev"] = "2-bbb";
    const auto o = outcome_of(r.on_response(response(200, current)));
    EXPECT_EQ(o.path, "indeterminate>verify>already-applied");
    EXPECT_EQ(o.token_after, "2-bbb");
}

TEST(BodyToken, NumericTokenKeepsItsJsonType) {
    StubRandom random;
    Policy p = body_token_policy("/version");
    Resolution r(put_update(kPayload, std::nullopt), p, random);
    r.start();
    r.on_response(response(409));
    json current = kOlder;
    current["version"] = 8;
    EXPECT_EQ(body_of(request_of(r.on_response(response(200, current))))["version"], 8);
}

TEST(MissingToken, NoEtagOnTheFetch_FailsMissingTokenNotBlindWrite) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_response(response(409));
    const auto o = outcome_of(r.on_response(response(200, kOlder)));
    EXPECT_EQ(o.reason, FailureReason::missing_token);
    EXPECT_EQ(o.notes, std::vector<std::string>{"missing ETag"});
    EXPECT_EQ(o.attempts, 1);
}

TEST(PeerMisbehaviour, GarbageBodyUnderOverwrite_NotedAndResent) {
    StubRandom random;
    Resolution r(put_update(kPayload), quick_policy(), random);
    r.start();
    r.on_response(response(409));
    Response garbage = response(200, nullptr, "\"v2\"");
    garbage.body = "<html>oops</html>";
    const auto retry = request_of(r.on_response(garbage));
    EXPECT_EQ(header(retry, "If-Match"), "\"v2\"");
    const auto o = outcome_of(r.on_response(response(200)));
    EXPECT_EQ(o.notes, std::vector<std::string>{"current state is not JSON (<html>oops</html>)"});
}

TEST(PeerMisbehaviour, GarbageBodyUnderMerge_FailsInvalidBody) {
    StubRandom random;
    Policy p = quick_policy();
    p.strategy = Strategy::merge;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    r.on_response(response(409));
    Response garbage = response(200, nullptr, "\"v2\"");
    garbage.body = "{not json";
    EXPECT_EQ(outcome_of(r.on_response(garbage)).reason, FailureReason::invalid_body);
}

// Found with a deep seed for fuzz_merge: a document nested 200,000 levels
// overflows the stack in copies and the merge (both recurse per level). A target
// may send megabytes of "[[[[" within the driver's body limit; the engine
// now reads such a body as not JSON and fails the merge cleanly.
TEST(PeerMisbehaviour, DeeplyNestedBodyUnderMerge_FailsInvalidBodyNotAStackOverflow) {
    StubRandom random;
    Policy p = quick_policy();
    p.strategy = Strategy::merge;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    r.on_response(response(409));
    Response deep = response(200, nullptr, "\"v2\"");
    deep.body = "{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
    EXPECT_EQ(outcome_of(r.on_response(deep)).reason, FailureReason::invalid_body);
}

TEST(PeerMisbehaviour, BodyNestedToTheLimit_IsStillJson) {
    StubRandom random;
    Policy p = quick_policy();
    p.strategy = Strategy::merge;
    Resolution r(put_update(kPayload), p, random);
    r.start();
    r.on_response(response(409));
    Response deep = response(200, nullptr, "\"v2\"");
    // The object is level 1; 255 arrays inside it reach the limit of 256.
    deep.body = "{\"a\":" + std::string(255, '[') + std::string(255, ']') + "}";
    EXPECT_EQ(header(request_of(r.on_response(deep)), "If-Match"), "\"v2\"");
}

}  // namespace
}  // namespace conflictlab::engine::testing
