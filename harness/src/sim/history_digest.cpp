#include "conflictlab/harness/sim/history_digest.hpp"

#include "conflictlab/common/json_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace conflictlab::harness::sim {

namespace {

// A small JSON writer for the canonical lines. Hand-written instead of
// building nlohmann::json values: the history of a 100,000-op run is
// written (or at least hashed) on every simulation, and this is several
// times cheaper. Keys come in a fixed order; strings are escaped as JSON
// requires (", \ and control characters), other bytes are copied as is.
class Line {
  public:
    explicit Line(std::size_t reserve) { out_.reserve(reserve); }

    Line& open() {
        comma();
        out_ += '{';
        first_ = true;
        return *this;
    }
    Line& close() {
        out_ += '}';
        first_ = false;
        return *this;
    }
    Line& open_array() {
        comma();
        out_ += '[';
        first_ = true;
        return *this;
    }
    Line& close_array() {
        out_ += ']';
        first_ = false;
        return *this;
    }
    Line& key(std::string_view k) {
        comma();
        string_literal(k);
        out_ += ':';
        first_ = true;  // the value follows without a comma
        return *this;
    }
    Line& str(std::string_view s) {
        comma();
        string_literal(s);
        return *this;
    }
    Line& num(long long v) {
        comma();
        append_number(v);
        return *this;
    }
    Line& boolean(bool v) {
        comma();
        out_ += v ? "true" : "false";
        return *this;
    }
    Line& null() {
        comma();
        out_ += "null";
        return *this;
    }
    Line& opt_str(const std::optional<std::string>& s) { return s ? str(*s) : null(); }
    Line& raw_json(const nlohmann::json& j) {
        // The same bytes as the dump below, written without a serializer
        // (and its buffer) per call for the usual values.
        comma();
        if (!append_json_fast(out_, j))
            out_ += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return *this;
    }
    std::string finish() {
        out_ += '\n';
        return std::move(out_);
    }

  private:
    template <typename Int>
    void append_number(Int v) {
        char buf[24];
        const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
        out_.append(buf, end);
    }

    void comma() {
        if (!first_)
            out_ += ',';
        first_ = false;
    }
    // Runs of characters that need no escape (nearly all of them: ids,
    // paths, tokens) are appended whole; a per-character append was a tenth
    // of a simulation's instructions.
    void string_literal(std::string_view s) {
        out_ += '"';
        std::size_t run = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const char c = s[i];
            const auto u = static_cast<unsigned char>(c);
            if (c != '"' && c != '\\' && u >= 0x20)
                continue;
            out_.append(s.data() + run, i - run);
            run = i + 1;
            if (u < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", u);
                out_ += buf;
            } else {
                out_ += '\\';
                out_ += c;
            }
        }
        out_.append(s.data() + run, s.size() - run);
        out_ += '"';
    }

    std::string out_;
    bool first_ = true;
};

long long ns_of_ms(double ms) {
    return std::llround(ms * 1e6);
}

}  // namespace

void Fnv1a64::update(std::string_view bytes) noexcept {
    std::uint64_t h = h_;
    for (const char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    h_ = h;
}

std::string Fnv1a64::hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return std::string("fnv1a64:") + buf;
}

std::string canonical_op_line(const OpRecord& op) {
    const engine::Outcome& o = op.outcome;
    Line l(512 + 64 * o.steps.size());
    l.open();
    l.key("op_id").str(op.op_id);
    l.key("writer_id").str(op.writer_id);
    l.key("group").str(op.group);
    l.key("resource_id").str(op.resource_id);
    l.key("intent").open();
    l.key("element").str(op.intent.element);
    l.key("fields").open();
    for (const auto& [pointer, value] : op.intent.fields)
        l.key(pointer).raw_json(value);
    l.close();
    l.key("timestamp_ms");
    if (op.intent.timestamp_ms) {
        l.num(*op.intent.timestamp_ms);
    } else {
        l.null();
    }
    l.close();
    l.key("invoked_ns").num(ns_of_ms(op.invoked_ms));
    l.key("completed_ns").num(ns_of_ms(op.completed_ms));
    l.key("outcome").open();
    l.key("kind").str(engine::outcome_kind_name(o.kind));
    l.key("path").str(o.path);
    l.key("reason").str(engine::failure_reason_name(o.reason));
    l.key("detail").str(o.detail);
    l.key("notes").open_array();
    for (const auto& n : o.notes)
        l.str(n);
    l.close_array();
    l.key("method").str(engine::write_method_name(o.method));
    l.key("attempts").num(o.attempts);
    l.key("conflicts").num(o.conflicts);
    l.key("statuses").open_array();
    for (const int s : o.statuses)
        l.num(s);
    l.close_array();
    l.key("token_before").opt_str(o.token_before);
    l.key("token_after").opt_str(o.token_after);
    l.key("freshness").str(engine::freshness_signal_name(o.freshness));
    l.key("alert").boolean(o.alert);
    l.key("started_ns").num(o.started.count());
    l.key("finished_ns").num(o.finished.count());
    // Steps as [step, started_ns, finished_ns, status, error].
    l.key("steps").open_array();
    for (const auto& s : o.steps) {
        l.open_array();
        l.str(s.step).num(s.started.count()).num(s.finished.count()).num(s.status).str(s.error);
        l.close_array();
    }
    l.close_array();
    l.close();
    l.close();
    return l.finish();
}

std::string canonical_resource_line(const ServerResource& r) {
    Line l(256 + 96 * r.writes.size());
    l.open();
    l.key("resource_id").str(r.id);
    // Writes as [version, etag, replaced_etag, method, writer_id, op_id].
    l.key("server_writes").open_array();
    for (const auto& w : r.writes) {
        l.open_array();
        l.num(static_cast<long long>(w.version))
            .str(w.etag)
            .str(w.replaced_etag)
            .str(w.method)
            .str(w.writer_id)
            .str(w.op_id);
        l.close_array();
    }
    l.close_array();
    l.key("dropped").num(static_cast<long long>(r.dropped));
    l.key("deleted").boolean(r.deleted);
    l.key("final_etag").str(r.final_etag);
    l.key("final_body");
    if (r.final_body) {
        l.raw_json(*r.final_body);
    } else {
        l.null();
    }
    l.close();
    return l.finish();
}

}  // namespace conflictlab::harness::sim
