// Theory of operation
// -------------------
// A Resolution is a small state machine with four waiting phases: writing (a
// PUT/PATCH is outstanding), fetching (a GET is outstanding), sleeping (a
// backoff or Retry-After delay is outstanding) and done. Every event is first
// classified into a Signal (accepted, conflict, gone, throttled, ...), then
// the pair (phase, signal) selects exactly one handler from kTransitions
// below. That table is the whole flow of DESIGN.md; the handlers only decide
// details (which reason, which delay) and build the next request.
//
// Invariants that make the flow safe:
//  - Writes are bounded by Policy::max_attempts, consecutive failed fetches
//    by the same number, and everything by Policy::deadline_ms. Every fetch
//    ends in a write or in Done, so the machine always terminates.
//  - A conflict (409/412) or a write with an unknown result invalidates the
//    token: the next write can only carry a token read from a response that
//    arrived after that failure (token_epoch == failure_epoch, checked in
//    send_write). Resending the last token with the same payload is how the
//    seed looped forever; here it is impossible by construction.
//  - After a 5xx/429/connect failure the server did not apply the write, so
//    the same request is resent; its If-Match (if any) still protects it: if
//    anything changed meanwhile the server answers 412 and the conflict path
//    fetches a fresh token.
//  - Peer misbehaviour becomes notes and failure reasons in the Outcome; only
//    API misuse throws (std::logic_error).
#include "conflictlab/engine/resolution.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "conflictlab/common/json_text.hpp"
#include "conflictlab/engine/backoff.hpp"
#include "conflictlab/engine/freshness.hpp"
#include "conflictlab/engine/merge.hpp"
#include "core/json_body.hpp"
#include "core/json_pointer.hpp"
#include "core/token.hpp"

namespace conflictlab::engine {

using nlohmann::json;
using std::chrono::milliseconds;

namespace {

enum class Phase : std::uint8_t { start, writing, fetching, sleeping, done };

// What an event means, independent of the phase it arrives in.
enum class Signal {
    accepted,               // 2xx
    conflict,               // a TargetProfile::conflict_statuses member (409, 412)
    precondition_required,  // 428
    gone,                   // 404, 410
    throttled,              // 429, 503 (Retry-After honoured)
    transient,              // 408, 500, 502, 504
    client_error,           // any other 4xx
    unexpected,             // 1xx, 3xx, other 5xx
    not_sent,               // transport error; the request never reached the server
    maybe_applied,          // transport error after (part of) the request was sent
    timer_fired,
};

// Why the outstanding GET was sent: its path segment and how to fail.
enum class FetchFor : std::uint8_t { conflict, token, verify };

// The most recent kind of trouble: names the reason when attempts run out.
enum class Trouble : std::uint8_t { none, conflict, transient, precondition };

std::string excerpt(std::string_view body) {
    constexpr std::size_t kLimit = 200;
    std::string out;
    for (char c : body.substr(0, kLimit)) {
        out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    }
    if (body.size() > kLimit)
        out += "...";
    return out;
}

std::string ms_text(milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

}  // namespace

struct Resolution::State {
    struct Event {
        const Response* response = nullptr;
        const TransportError* error = nullptr;
    };
    using Handler = Action (State::*)(const Event&);
    struct Transition {
        Phase phase;
        Signal signal;
        Handler handler;
    };
    static const Transition kTransitions[];

    // Documents are shared, never copied, between the payload, the merge
    // result (`ours`), the write plan and the body last sent: a document is
    // never modified once shared (a token placed in a body goes into a fresh
    // copy), so sharing is invisible except in the copies it saves.
    using Doc = std::shared_ptr<json>;

    // The next (or last) write: resent unchanged after transient failures.
    struct WritePlan {
        Doc body;  // without the token (placed in a copy when sent)
        WriteMethod method = WriteMethod::put;
        bool create_only = false;  // If-None-Match: * (recreate after deletion)
        bool carried_token = false;
    };

    // The outstanding request, enough to render it again for
    // pending_request() (the request itself is moved to the driver).
    struct Pending {
        std::string_view method;  // static storage (write_method_name, "GET")
        milliseconds timeout{0};
        RequestPurpose purpose = RequestPurpose::write;
        bool if_match = false;       // the token went in If-Match
        bool if_none_match = false;  // If-None-Match: *
    };

    // REQUIRES: update and *policy validated.
    State(Update&& update, std::shared_ptr<const Policy> p, RandomSource& r);
    ~State() {
        drop(write.body);
        drop(payload);
        drop(ours);
        drop(sent_body);
        if (base)
            release_json(*base);
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    // Frees a document (the cheap way, see release_json) once nothing else
    // shares it.
    static void drop(Doc& doc) noexcept {
        if (doc && doc.use_count() == 1)
            release_json(*doc);
        doc.reset();
    }

    // Members are ordered by size: the State stays within malloc's per-thread
    // cache (<= 1032 bytes), which keeps its allocation off the slow path.
    std::shared_ptr<const Policy> policy_owner;
    const Policy& policy;
    RandomSource* random;
    Backoff backoff;
    Doc payload;    // the update's payload
    Doc ours;       // the document we want, once it differs from the payload
    Doc sent_body;  // the body of the last write sent (token included)
    WritePlan write;
    Pending pending;
    mutable std::unique_ptr<SendRequest> pending_view;  // pending_request()'s rendering
    std::optional<detail::Token> token;
    std::optional<json> base;       // ancestor of the next three-way merge
    const json* fetched = nullptr;  // the state being decided on, during catch only
    std::optional<WallTime> incoming_ts;
    std::string sent_text;  // serialization of sent_body; empty before the first write
    std::string resource_path;
    std::string path;  // the outcome's path, built as the decisions are taken
    Timestamp pending_since{0};
    Timestamp sleep_since{0};
    Timestamp now{0};
    Timestamp deadline{0};
    Outcome out;
    unsigned token_epoch = 0;    // failure_epoch at the time the token was read
    unsigned failure_epoch = 0;  // bumped by every conflict / unknown write result
    int fetch_failures = 0;      // consecutive failed fetches
    int requests_sent = 0;
    WriteMethod method;  // the update's
    Phase phase = Phase::start;
    Phase after_sleep = Phase::writing;
    FetchFor fetch_for = FetchFor::conflict;
    Trouble trouble = Trouble::none;
    bool base_is_current = false;  // base holds the last fetched server state
    // The last write sent is exactly what send_write() would send now: set
    // when a write goes out, cleared by plan(), any token change and finish().
    bool write_sent = false;
    bool indeterminate = false;  // a write may have been applied, unconfirmed
    bool create_first = false;   // Update::create_only: first write If-None-Match: *

    // ---- events ---------------------------------------------------------

    Action begin(Timestamp t) {
        now = t;
        out.started = t;
        deadline = t + milliseconds{policy.deadline_ms};
        write = WritePlan{payload, method, create_first, false};
        if (out.token_before) {
            auto read = detail::read_base_token(policy.target, *out.token_before);
            if (!read.note.empty())
                note(read.note);
            if (!read.token) {
                // A token we cannot send: learn a usable one instead of writing
                // unconditionally (which could lose someone else's update).
                fetch_for = FetchFor::token;
                return send_fetch();
            }
            token = std::move(read.token);
        }
        return send_write();
    }

    // Records the step, checks the deadline, then follows kTransitions.
    Action dispatch(Signal signal, const Event& ev, Timestamp t);

    Signal classify(const Response& r) const {
        const int s = r.status;
        if (s >= 200 && s <= 299)
            return Signal::accepted;
        const auto& cs = policy.target.conflict_statuses;
        if (std::find(cs.begin(), cs.end(), s) != cs.end())
            return Signal::conflict;
        if (s == 428)
            return Signal::precondition_required;
        if (s == 404 || s == 410)
            return Signal::gone;
        if (s == 429 || s == 503)
            return Signal::throttled;
        if (s == 408 || s == 500 || s == 502 || s == 504)
            return Signal::transient;
        if (s >= 400 && s <= 499)
            return Signal::client_error;
        return Signal::unexpected;
    }

    // ---- handlers: writes ------------------------------------------------

    Action write_accepted(const Event& ev) {
        indeterminate = false;
        const Response& r = *ev.response;
        json parsed;
        if (policy.target.token_source == TokenSource::body_pointer) {
            parsed = detail::parse_body_json(r.body);
        }
        auto read =
            detail::read_token(policy.target, r.headers,
                               parsed.is_discarded() || parsed.is_null() ? nullptr : &parsed);
        if (read.token)
            out.token_after = read.token->display();
        token.reset();  // spent: the write created a new version
        if (path.empty())
            return finish(OutcomeKind::success, "");
        return finish(OutcomeKind::resolved, "");
    }

    Action write_conflict(const Event& ev) {
        indeterminate = false;
        ++out.conflicts;
        invalidate_token();
        trouble = Trouble::conflict;
        if (!attempts_left()) {
            return fail(FailureReason::persistent_conflict,
                        "HTTP " + std::to_string(ev.response->status) + " on attempt " +
                            std::to_string(out.attempts) + " of " +
                            std::to_string(policy.max_attempts));
        }
        fetch_for = FetchFor::conflict;
        fetch_failures = 0;
        return after_delay(backoff.next_delay(*random), Phase::fetching);
    }

    Action write_needs_token(const Event&) {
        indeterminate = false;
        if (write.carried_token || write.create_only) {
            return fail(FailureReason::precondition_required,
                        "428 Precondition Required although the write carried a precondition; "
                        "check policy.target.token_sink");
        }
        trouble = Trouble::precondition;
        if (!attempts_left()) {
            return fail(FailureReason::precondition_required,
                        "428 Precondition Required and no attempts left");
        }
        invalidate_token();
        fetch_for = FetchFor::token;
        fetch_failures = 0;
        return send_fetch();
    }

    Action write_transient(const Event& ev) {
        if (ev.response)
            indeterminate = false;  // a later write got an HTTP answer
        trouble = Trouble::transient;
        auto [segment, delay] = transient_delay(ev);
        if (!attempts_left()) {
            return fail(FailureReason::exhausted_transient,
                        describe(ev) + " on attempt " + std::to_string(out.attempts) + " of " +
                            std::to_string(policy.max_attempts));
        }
        add_path(segment);
        return after_delay(delay, Phase::writing);
    }

    Action write_indeterminate(const Event& ev) {
        // The write may have been applied: look before writing again.
        trouble = Trouble::transient;
        invalidate_token();
        add_path("indeterminate");
        note("write result unknown: " + describe(ev));
        fetch_for = FetchFor::verify;
        fetch_failures = 0;
        return after_delay(backoff.next_delay(*random), Phase::fetching);
    }

    Action target_gone(const Event& ev) {
        if (phase == Phase::writing)
            indeterminate = false;
        invalidate_token();  // nothing left to name a version of
        add_path("deleted");
        const std::string what =
            "HTTP " + std::to_string(ev.response->status) + " on " + std::string(pending.method);
        switch (policy.deleted_policy) {
            case DeletedPolicy::fail:
                return fail(
                    FailureReason::deleted,
                    phase == Phase::fetching && fetch_for == FetchFor::conflict
                        ? "resource deleted between the conflict and the fetch (" + what + ")"
                        : "resource deleted (" + what + ")");
            case DeletedPolicy::drop:
                add_path("drop");
                return finish(OutcomeKind::discarded,
                              "resource deleted (" + what + "); update dropped by deleted_policy");
            case DeletedPolicy::recreate:
                break;
        }
        add_path("recreate");
        if (!attempts_left()) {
            return fail(FailureReason::deleted,
                        "resource deleted (" + what + ") and no attempts left to recreate it");
        }
        base.reset();
        base_is_current = false;
        plan(WritePlan{desired_full(), WriteMethod::put, true, false});
        return send_write();
    }

    // ---- handlers: fetches -----------------------------------------------

    Action fetch_transient(const Event& ev) {
        auto [segment, delay] = transient_delay(ev);
        if (++fetch_failures >= policy.max_attempts) {
            return fail(FailureReason::exhausted_transient,
                        "GET failed " + std::to_string(fetch_failures) + " times in a row, last " +
                            describe(ev));
        }
        add_path(segment);
        return after_delay(delay, Phase::fetching);
    }

    // Catch: the current state arrived. Decide discard / already applied /
    // overwrite / merge, then resubmit with the token it carried.
    Action catch_current_state(const Event& ev) {
        fetch_failures = 0;
        const Response& r = *ev.response;
        json parsed = detail::parse_body_json(r.body);
        struct Release {
            json& doc;
            ~Release() { release_json(doc); }  // unless it moved to `base`
        } release{parsed};
        const json* body = parsed.is_discarded() ? nullptr : &parsed;
        if (body == nullptr)
            note("current state is not JSON (" + excerpt(r.body) + ")");
        // fail() reports the state being decided on; cleared when catch returns.
        fetched = body;
        struct Forget {
            const json*& p;
            ~Forget() { p = nullptr; }
        } forget{fetched};

        auto read = detail::read_token(policy.target, r.headers, body);
        if (!read.note.empty())
            note(read.note);
        if (read.token) {
            token = std::move(read.token);
            token_epoch = failure_epoch;
            write_sent = false;
        }

        auto fresh = compare_freshness(incoming_ts, body, r.headers, policy.timestamp_pointer);
        out.freshness = fresh.signal;
        if (fresh.age == Age::older && policy.discard_if_stale) {
            add_path("discard");
            return finish(OutcomeKind::discarded,
                          "update (" + format_rfc3339(*fresh.incoming) +
                              ") is older than the current state (" +
                              format_rfc3339(*fresh.current) + ", " +
                              std::string(freshness_signal_name(fresh.signal)) + ")");
        }

        if (body == nullptr) {
            if (policy.strategy == Strategy::merge) {
                return fail(FailureReason::invalid_body,
                            "the current state is not JSON; cannot merge");
            }
            add_path("overwrite");
            plan(WritePlan{payload, method, false, false});
        } else if (auto done = decide(*body, fresh.age)) {
            return std::move(*done);
        } else {
            // The state just decided on is the ancestor of the next round.
            if (base)
                release_json(*base);
            base = std::move(parsed);
            base_is_current = true;
            fetched = &*base;
        }

        if (!token) {
            return read.weak_only
                       ? fail(FailureReason::weak_etag_only,
                              "the server offers only weak ETags; RFC 9110 If-Match uses strong "
                              "comparison, so no conditional write is possible (set "
                              "target.weak_etag_mode to lenient if this server accepts weak tags, "
                              "or use a body token)")
                       : fail(FailureReason::missing_token,
                              "the current state carries no version token (" + read.note +
                                  "); an unconditional write could lose updates");
        }
        if (!attempts_left())
            return fail(exhausted_reason(), exhausted_detail());
        return send_write();
    }

    // Fills `write` for the resubmission, or returns Done.
    std::optional<Action> decide(const json& cur, Age age) {
        if (base) {
            if (auto guard = changed_guard(cur)) {
                add_path(std::string(strategy_name(policy.strategy)));
                return fail(FailureReason::irreconcilable_merge, *guard);
            }
        }
        if (policy.detect_already_applied && already_contains(cur)) {
            indeterminate = false;
            add_path("already-applied");
            return finish(OutcomeKind::resolved, "the current state already contains the update");
        }
        Doc desired;
        if (policy.strategy == Strategy::overwrite) {
            add_path("overwrite");
            desired = apply_update(cur);
            plan(WritePlan{payload, method, false, false});
        } else {
            add_path("merge");
            std::vector<std::string> lost;
            if (base && ours_doc()) {
                MergeOptions options{policy.field_rules, policy.set_merge_pointers,
                                     policy.guard_pointers, newer(age)};
                auto merged = three_way_merge(*base, *ours_doc(), cur, options);
                if (!merged.ok)
                    return fail(FailureReason::irreconcilable_merge, merged.detail);
                desired = std::make_shared<json>(std::move(merged.merged));
                lost = std::move(merged.lost);
            } else {
                desired = std::make_shared<json>(overlay(cur, *payload, policy.set_merge_pointers,
                                                         method == WriteMethod::patch));
            }
            if (same_ignoring_token(*desired, cur)) {
                if (lost.empty()) {
                    add_path("already-applied");
                    return finish(OutcomeKind::resolved,
                                  "the current state already contains the update");
                }
                add_path("discard");
                std::string fields;
                for (const auto& p : lost)
                    fields += (fields.empty() ? "" : ", ") + p;
                return finish(OutcomeKind::discarded,
                              "every change lost to the field rules (" + fields + ")");
            }
            plan(WritePlan{method == WriteMethod::put
                               ? desired
                               : std::make_shared<json>(create_merge_patch(cur, *desired)),
                           method, false, false});
        }
        ours = std::move(desired);
        return std::nullopt;
    }

    // ---- handlers: timer -------------------------------------------------

    Action wake(const Event&) {
        return after_sleep == Phase::writing ? send_write() : send_fetch();
    }

    Action fail_status(const Event& ev) {
        const Response& r = *ev.response;
        const bool client = r.status >= 400 && r.status <= 499;
        return fail(client ? FailureReason::non_retryable_4xx : FailureReason::unexpected_status,
                    "HTTP " + std::to_string(r.status) + " on " + std::string(pending.method) +
                        (r.body.empty() ? "" : ": " + excerpt(r.body)));
    }

    // ---- requests --------------------------------------------------------

    Action send_write() {
        if (auto late = past_deadline())
            return std::move(*late);
        const bool with_token = token.has_value() && !write.create_only;
        if (with_token && failure_epoch != 0 && token_epoch != failure_epoch) {
            throw std::logic_error(
                "conflictlab::engine::Resolution: a retry would reuse a stale token (engine bug)");
        }
        if (requests_sent > 0)
            add_path("retry");

        Pending p{write_method_name(write.method), request_timeout(), RequestPurpose::write};
        p.if_none_match = write.create_only;
        p.if_match = with_token && detail::sink_header(policy.target) && !token->body_only;
        // A resend after a transient failure (write_sent: plan and token
        // unchanged since) repeats the bytes already serialized.
        if (!write_sent || !sent_body)
            serialize_write(with_token, p.if_match);
        ++out.attempts;
        return emit(p, std::string(sent_text), Phase::writing);
    }

    // The planned write's body into sent_body and sent_text (for
    // outcome().final_body, pending_request() and resends), with the token
    // in the body where the target wants it there.
    void serialize_write(bool with_token, bool token_in_header) {
        const auto& target = policy.target;
        Doc body = write.body;  // the token is placed in a copy, never in a shared document
        write.carried_token = token_in_header;
        if (write.create_only) {
            if (detail::sink_body(target) && detail::find(*body, target.token_pointer)) {
                body = std::make_shared<json>(*body);
                detail::erase_at(*body, target.token_pointer);
            }
        } else if (with_token && detail::sink_body(target)) {
            auto with = std::make_shared<json>(*body);
            if (detail::set_at(*with, target.token_pointer, token->body_value())) {
                body = std::move(with);
                write.carried_token = true;
            } else {
                note("cannot place the token at " + target.token_pointer + " in the body");
            }
        }
        sent_text = dump_json(*body);
        sent_body = std::move(body);
        write_sent = true;
    }

    Action send_fetch() {
        if (auto late = past_deadline())
            return std::move(*late);
        static constexpr const char* kSegments[] = {"refetch", "fetch-token", "verify"};
        add_path(kSegments[static_cast<int>(fetch_for)]);
        auto purpose =
            fetch_for == FetchFor::verify ? RequestPurpose::verify : RequestPurpose::fetch;
        return emit(Pending{"GET", request_timeout(), purpose}, {}, Phase::fetching);
    }

    milliseconds request_timeout() const {
        auto left = std::chrono::ceil<milliseconds>(deadline - now);
        return std::min(milliseconds{policy.attempt_timeout_ms}, left);
    }

    // The request described by `pending`. Its fields go straight into one
    // right-sized list, in this order: Accept, the X- identifiers the update
    // carries, then for writes Content-Type, If-None-Match, If-Match. (Copying
    // a per-resolution prototype cost a vector and its long strings per
    // request, plus a regrowth when If-Match was appended.)
    SendRequest render(std::string body) const {
        SendRequest req;
        render_into(req, std::move(body));
        return req;
    }

    // render() into a default-constructed request: emit() builds it inside
    // the returned Action, saving a move of every string.
    void render_into(SendRequest& req, std::string body) const {
        req.method = std::string(pending.method);
        req.path = resource_path;
        req.purpose = pending.purpose;
        req.timeout = pending.timeout;
        const bool is_write = pending.purpose == RequestPurpose::write;
        HeaderFields& h = req.headers;
        h.reserve(1 + static_cast<std::size_t>(!out.correlation_id.empty()) +
                  static_cast<std::size_t>(!out.writer_id.empty()) +
                  static_cast<std::size_t>(!out.op_id.empty()) +
                  (is_write ? 1 + static_cast<std::size_t>(pending.if_none_match) +
                                  static_cast<std::size_t>(pending.if_match)
                            : 0));
        h.add("Accept", "application/json");
        if (!out.correlation_id.empty())
            h.add("X-Correlation-Id", out.correlation_id);
        if (!out.writer_id.empty())
            h.add("X-Writer-Id", out.writer_id);
        if (!out.op_id.empty())
            h.add("X-Op-Id", out.op_id);
        if (is_write) {
            h.add("Content-Type", write.method == WriteMethod::patch
                                      ? "application/merge-patch+json"
                                      : "application/json");
            if (pending.if_none_match)
                h.add("If-None-Match", "*");
            if (pending.if_match)
                h.add("If-Match", token->if_match());
            req.body = std::move(body);
        }
    }

    Action emit(const Pending& p, std::string body, Phase next) {
        ++requests_sent;
        pending = p;
        pending_view.reset();
        pending_since = now;
        phase = next;
        Action action{std::in_place_type<SendRequest>};
        render_into(std::get<SendRequest>(action), std::move(body));
        return action;
    }

    Action after_delay(milliseconds delay, Phase next) {
        if (delay.count() <= 0)
            return next == Phase::writing ? send_write() : send_fetch();
        if (now + delay >= deadline) {
            return fail(FailureReason::deadline_exceeded,
                        "the next retry in " + ms_text(delay) + " would pass the deadline of " +
                            ms_text(milliseconds{policy.deadline_ms}));
        }
        after_sleep = next;
        sleep_since = now;
        phase = Phase::sleeping;
        return Sleep{delay};
    }

    std::optional<Action> past_deadline() {
        if (now < deadline)
            return std::nullopt;
        return fail(FailureReason::deadline_exceeded,
                    "deadline of " + ms_text(milliseconds{policy.deadline_ms}) + " exceeded");
    }

    // ---- ending ----------------------------------------------------------

    Action finish(OutcomeKind kind, std::string detail) {
        out.kind = kind;
        out.detail = std::move(detail);
        out.path = path.empty() ? "direct" : path;
        out.finished = now;
        out.alert = kind == OutcomeKind::failed;
        // Without a successful write, the final state's token is the last one read.
        if (!out.token_after && token)
            out.token_after = token->display();
        write_sent = false;
        phase = Phase::done;
        // Done carries the outcome; outcome() keeps a copy of all but the
        // final body, which it restores from sent_text when asked. The body
        // moves into Done when nothing else shares it (the usual case). The
        // copy is made in the returned Action itself (no Done temporary to
        // move from).
        Action action{std::in_place_type<Done>, out};
        if (sent_body) {
            drop(write.body);
            drop(ours);
            drop(payload);
            std::get<Done>(action).outcome.final_body =
                sent_body.use_count() == 1 ? std::move(*sent_body) : json(*sent_body);
            sent_body.reset();
        }
        return action;
    }

    Action fail(FailureReason reason, std::string detail) {
        if (indeterminate && (reason == FailureReason::exhausted_transient ||
                              reason == FailureReason::deadline_exceeded)) {
            detail += "; a write whose result is unknown may have been applied";
            reason = FailureReason::timeout_indeterminate;
        }
        out.reason = reason;
        const json& desired = ours_doc() ? *ours_doc() : *payload;
        const json* cur = fetched ? fetched : (base_is_current ? &*base : nullptr);
        json delta = {{"desired", desired}, {"current", nullptr}, {"patch", nullptr}};
        if (cur) {
            delta["current"] = *cur;
            delta["patch"] = json::diff(*cur, desired);
        }
        out.delta = std::move(delta);
        return finish(OutcomeKind::failed, std::move(detail));
    }

    // ---- helpers ---------------------------------------------------------

    void note(std::string text) {
        if (std::find(out.notes.begin(), out.notes.end(), text) == out.notes.end()) {
            out.notes.push_back(std::move(text));
        }
    }

    void close_step(const Event& ev) {
        StepTiming& step = out.steps.emplace_back();  // built in place
        if (phase == Phase::sleeping) {
            step.step = "sleep";
            step.started = sleep_since;
        } else {
            step.step = request_purpose_name(pending.purpose);
            step.started = pending_since;
        }
        step.finished = now;
        if (ev.response)
            step.status = ev.response->status;
        if (ev.error)
            step.error = std::string(transport_error_kind_name(ev.error->kind));
    }

    bool attempts_left() const { return out.attempts < policy.max_attempts; }

    void invalidate_token() {
        ++failure_epoch;
        token.reset();
        write_sent = false;
    }

    FailureReason exhausted_reason() const {
        switch (trouble) {
            case Trouble::conflict:
                return FailureReason::persistent_conflict;
            case Trouble::precondition:
                return FailureReason::precondition_required;
            case Trouble::none:
            case Trouble::transient:
                break;
        }
        return FailureReason::exhausted_transient;
    }

    std::string exhausted_detail() const {
        return "no attempts left after " + std::to_string(out.attempts) + " of " +
               std::to_string(policy.max_attempts);
    }

    std::string describe(const Event& ev) const {
        if (ev.response)
            return "HTTP " + std::to_string(ev.response->status);
        std::string text =
            "transport error (" + std::string(transport_error_kind_name(ev.error->kind)) + ")";
        if (!ev.error->detail.empty())
            text += ": " + ev.error->detail;
        return text;
    }

    // Path segment and delay for a throttled/transient failure.
    std::pair<std::string, milliseconds> transient_delay(const Event& ev) {
        if (ev.response && (ev.response->status == 429 || ev.response->status == 503)) {
            if (auto ra = retry_after(*ev.response))
                return {"throttled", *ra};
            return {"throttled", backoff.next_delay(*random)};
        }
        return {"transient", backoff.next_delay(*random)};
    }

    std::optional<milliseconds> retry_after(const Response& r) {
        auto value = r.headers.get("Retry-After");
        if (!value)
            return std::nullopt;
        std::optional<WallTime> wall;
        if (auto date = r.headers.get("Date"))
            wall = parse_http_date(*date);
        if (!wall)
            wall = r.received_wall;
        auto digits = value->find_first_not_of("0123456789 ") == std::string_view::npos;
        if (!digits && !wall) {
            note("Retry-After HTTP-date ignored: no Date header and no wall clock reading");
            return std::nullopt;
        }
        auto delay = parse_retry_after(*value, wall.value_or(WallTime{}));
        if (!delay) {
            note("malformed Retry-After ignored");
            return std::nullopt;
        }
        const milliseconds cap{policy.retry_after_cap_ms};
        if (*delay > cap) {
            note("Retry-After " + ms_text(*delay) + " capped to " + ms_text(cap));
            return cap;
        }
        return delay;
    }

    // Replaces the write plan (sent_body keeps the body last sent).
    void plan(WritePlan next) {
        write = std::move(next);
        write_sent = false;
    }

    void add_path(std::string_view segment) {
        if (!path.empty())
            path += '>';
        path += segment;
    }

    // The full document the update wants: the payload for PUT, base + patch
    // for PATCH, or the last merge result. Null for a PATCH without base.
    const json* ours_doc() const {
        if (ours)
            return ours.get();
        return method == WriteMethod::put ? payload.get() : nullptr;
    }

    // Does `cur` already contain the update (token field aside)?
    bool already_contains(const json& cur) const {
        if (method == WriteMethod::put)
            return same_ignoring_token(*payload, cur);
        return same_ignoring_token(overlay(cur, *payload, {}, true), cur);
    }

    // The document the update asks for, given the current state.
    Doc apply_update(const json& cur) const {
        if (method == WriteMethod::put)
            return payload;
        return std::make_shared<json>(overlay(cur, *payload, {}, true));
    }

    // The full document to recreate a deleted resource with.
    // (`update.base_body` has moved to `base` by then, hence the empty object.)
    Doc desired_full() const {
        if (ours)
            return ours;
        if (method == WriteMethod::put)
            return payload;
        return std::make_shared<json>(overlay(json::object(), *payload, {}, true));
    }

    bool token_in_body() const {
        const auto& t = policy.target;
        return !t.token_pointer.empty() &&
               (t.token_source == TokenSource::body_pointer || detail::sink_body(t));
    }

    bool same_ignoring_token(const json& a, const json& b) const {
        if (!token_in_body())
            return a == b;
        json x = a;
        json y = b;
        detail::erase_at(x, policy.target.token_pointer);
        detail::erase_at(y, policy.target.token_pointer);
        return x == y;
    }

    std::optional<std::string> changed_guard(const json& cur) const {
        for (const auto& g : policy.guard_pointers) {
            const json* b = detail::find(*base, g);
            const json* t = detail::find(cur, g);
            const json* o = ours_doc() ? detail::find(*ours_doc(), g) : nullptr;
            auto same = [](const json* x, const json* y) {
                return (x == nullptr || y == nullptr) ? x == y : *x == *y;
            };
            if (!same(b, t) && !(ours_doc() && same(o, t))) {
                return "guard field " + g + " changed (base " + (b ? b->dump() : "(absent)") +
                       ", current " + (t ? t->dump() : "(absent)") + ")";
            }
        }
        return std::nullopt;
    }

    static Newer newer(Age age) {
        switch (age) {
            case Age::newer:
                return Newer::ours;
            case Age::older:
                return Newer::theirs;
            case Age::same:
                return Newer::same;
            case Age::unknown:
                break;
        }
        return Newer::unknown;
    }
};

// The flow, in one place. (waiting for, what happened) -> what to do.
const Resolution::State::Transition Resolution::State::kTransitions[] = {
    // A write is outstanding.
    {Phase::writing, Signal::accepted, &State::write_accepted},  // done
    {Phase::writing, Signal::conflict, &State::write_conflict},  // back off, refetch
    {Phase::writing, Signal::precondition_required, &State::write_needs_token},  // GET token
    {Phase::writing, Signal::gone, &State::target_gone},                         // deleted policy
    {Phase::writing, Signal::throttled, &State::write_transient},          // Retry-After, resend
    {Phase::writing, Signal::transient, &State::write_transient},          // back off, resend
    {Phase::writing, Signal::not_sent, &State::write_transient},           // back off, resend
    {Phase::writing, Signal::maybe_applied, &State::write_indeterminate},  // back off, verify
    {Phase::writing, Signal::client_error, &State::fail_status},           // Failed, no retry
    {Phase::writing, Signal::unexpected, &State::fail_status},             // Failed, no retry
    // A GET is outstanding (refetch, fetch-token or verify).
    {Phase::fetching, Signal::accepted, &State::catch_current_state},  // decide, resubmit
    {Phase::fetching, Signal::gone, &State::target_gone},              // deleted policy
    {Phase::fetching, Signal::throttled, &State::fetch_transient},     // Retry-After, GET again
    {Phase::fetching, Signal::transient, &State::fetch_transient},     // back off, GET again
    {Phase::fetching, Signal::not_sent, &State::fetch_transient},
    {Phase::fetching, Signal::maybe_applied, &State::fetch_transient},
    {Phase::fetching, Signal::conflict, &State::fail_status},  // a GET cannot conflict
    {Phase::fetching, Signal::precondition_required, &State::fail_status},
    {Phase::fetching, Signal::client_error, &State::fail_status},
    {Phase::fetching, Signal::unexpected, &State::fail_status},
    // A Sleep is outstanding.
    {Phase::sleeping, Signal::timer_fired, &State::wake},  // send the planned request
};

Action Resolution::State::dispatch(Signal signal, const Event& ev, Timestamp t) {
    now = std::max(now, t);
    if (ev.response)
        out.statuses.push_back(ev.response->status);
    close_step(ev);
    if (signal == Signal::maybe_applied && phase == Phase::writing)
        indeterminate = true;
    if (now >= deadline && !(phase == Phase::writing && signal == Signal::accepted)) {
        return fail(FailureReason::deadline_exceeded,
                    "deadline of " + ms_text(milliseconds{policy.deadline_ms}) + " exceeded");
    }
    for (const auto& row : kTransitions) {
        if (row.phase == phase && row.signal == signal)
            return (this->*row.handler)(ev);
    }
    throw std::logic_error("conflictlab::engine::Resolution: no transition (engine bug)");
}

// ---- public API -------------------------------------------------------------

namespace {

const char* phase_name(Awaiting a) {
    switch (a) {
        case Awaiting::start:
            return "start()";
        case Awaiting::response:
            return "a response";
        case Awaiting::timer:
            return "the timer";
        case Awaiting::nothing:
            return "nothing (done)";
    }
    return "?";
}

}  // namespace

Resolution::Resolution(Update update, Policy policy, RandomSource& random)
    : Resolution(std::move(update), std::make_shared<const Policy>(std::move(policy)), random) {}

Resolution::State::State(Update&& update, std::shared_ptr<const Policy> p, RandomSource& r)
    : policy_owner(std::move(p)),
      policy(*policy_owner),
      random(&r),
      backoff(policy.backoff),
      method(update.method),
      create_first(update.create_only) {
    // validate(Policy) guarantees the {id}; one right-sized string.
    const std::string_view tmpl = policy.target.resource_path;
    const std::size_t at = tmpl.find("{id}");
    const std::string id = detail::percent_encode(update.resource_id);
    resource_path.reserve(tmpl.size() - 4 + id.size());
    resource_path.append(tmpl.substr(0, at)).append(id).append(tmpl.substr(at + 4));
    incoming_ts = update.business_timestamp
                      ? update.business_timestamp
                      : read_business_timestamp(update.payload, policy.timestamp_pointer);
    if (method == WriteMethod::patch && update.base_body)
        ours = std::make_shared<json>(overlay(*update.base_body, update.payload, {}, true));
    // With a base, every later use goes through `base` / `ours`; the payload
    // is shared from here on (see Doc).
    base = std::move(update.base_body);
    payload = std::make_shared<json>(std::move(update.payload));

    out.resource_id = std::move(update.resource_id);
    out.method = method;
    out.correlation_id = std::move(update.correlation_id);
    out.event_id = std::move(update.event_id);
    out.writer_id = std::move(update.writer_id);
    out.op_id = std::move(update.op_id);
    out.token_before = std::move(update.base_token);  // read by begin()
    // A resolution rarely takes more than a handful of steps.
    out.steps.reserve(4);
    out.statuses.reserve(4);
}

Resolution::Resolution(Update update, std::shared_ptr<const Policy> policy, RandomSource& random) {
    if (!policy)
        throw std::invalid_argument("policy: must not be null");
    validate(update);
    validate(*policy);
    // glibc serves allocations up to 1032 bytes from a per-thread cache; a
    // larger State costs a slow-path malloc (and a consolidation) per resolution.
    static_assert(sizeof(State) <= 1032, "keep Resolution::State small; see its members");
    s_ = std::make_unique<State>(std::move(update), std::move(policy), random);
}

Resolution::~Resolution() = default;
Resolution::Resolution(Resolution&&) noexcept = default;
Resolution& Resolution::operator=(Resolution&&) noexcept = default;

Awaiting Resolution::awaiting() const noexcept {
    if (!s_)
        return Awaiting::nothing;
    switch (s_->phase) {
        case Phase::start:
            return Awaiting::start;
        case Phase::writing:
        case Phase::fetching:
            return Awaiting::response;
        case Phase::sleeping:
            return Awaiting::timer;
        case Phase::done:
            break;
    }
    return Awaiting::nothing;
}

namespace {

void require(Awaiting actual, Awaiting wanted, const char* call) {
    if (actual != wanted) {
        throw std::logic_error(std::string("conflictlab::engine::Resolution::") + call +
                               ": not expected now (waiting for " + phase_name(actual) + ")");
    }
}

}  // namespace

Action Resolution::start(Timestamp now) {
    require(awaiting(), Awaiting::start, "start");
    return s_->begin(now);
}

Action Resolution::on_response(const Response& response, Timestamp now) {
    require(awaiting(), Awaiting::response, "on_response");
    return s_->dispatch(s_->classify(response), State::Event{&response, nullptr}, now);
}

Action Resolution::on_transport_error(const TransportError& error, Timestamp now) {
    require(awaiting(), Awaiting::response, "on_transport_error");
    auto signal = error.may_have_reached_server ? Signal::maybe_applied : Signal::not_sent;
    return s_->dispatch(signal, State::Event{nullptr, &error}, now);
}

Action Resolution::on_timer(Timestamp now) {
    require(awaiting(), Awaiting::timer, "on_timer");
    return s_->dispatch(Signal::timer_fired, State::Event{}, now);
}

Action Resolution::start() {
    return start(s_ ? s_->now : Timestamp{0});
}
Action Resolution::on_response(const Response& response) {
    return on_response(response, s_ ? s_->now : Timestamp{0});
}
Action Resolution::on_transport_error(const TransportError& error) {
    return on_transport_error(error, s_ ? s_->now : Timestamp{0});
}
Action Resolution::on_timer() {
    return on_timer(s_ ? s_->now : Timestamp{0});
}

const Outcome& Resolution::outcome() const {
    if (!done() || !s_)
        throw std::logic_error("conflictlab::engine::Resolution::outcome: not done");
    // The final body moved into Done; restore it from the text that was sent.
    if (!s_->out.final_body && !s_->sent_text.empty())
        s_->out.final_body = parse_json(s_->sent_text);
    return s_->out;
}

const SendRequest& Resolution::pending_request() const {
    require(awaiting(), Awaiting::response, "pending_request");
    if (!s_->pending_view) {
        const bool write = s_->pending.purpose == RequestPurpose::write;
        s_->pending_view =
            std::make_unique<SendRequest>(s_->render(write ? s_->sent_text : std::string()));
    }
    return *s_->pending_view;
}

}  // namespace conflictlab::engine
