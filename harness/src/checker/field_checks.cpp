// register, disjoint-fields and overlapping-fields: each (resource, field) is
// judged on its own, from the final value at the field's JSON pointer and the
// ops whose intent wrote that field. docs/checker.md "Field workloads" states
// the rules; the comments below say why each exception exists.

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

#include "check_context.hpp"

namespace conflictlab::harness::checker_detail {

namespace {

using nlohmann::json;

constexpr std::int64_t kNoTimestamp = std::numeric_limits<std::int64_t>::min();
constexpr std::size_t kBriefJsonChars = 80;

std::int64_t ts_of(const OpRecord& op) {
    return op.intent.timestamp_ms.value_or(kNoTimestamp);
}

const json* value_at(const json* body, std::string_view pointer) {
    if (body == nullptr)
        return nullptr;
    try {
        const json::json_pointer p{std::string(pointer)};
        return body->contains(p) ? &body->at(p) : nullptr;
    } catch (const json::exception&) {
        return nullptr;  // a shape the pointer cannot walk: the field is not there
    }
}

// Whether the final value at a field is what `op` wrote there: the intent's
// value itself, or the register layout {"value": V, "ts": T} with V the
// intent's value and T the op's timestamp (docs/checker.md "Body layouts").
bool holds(const json& final_value, const OpRecord& op, const json& value) {
    if (final_value == value)
        return true;
    if (!final_value.is_object() || !op.intent.timestamp_ms)
        return false;
    const auto v = final_value.find("value");
    const auto ts = final_value.find("ts");
    return v != final_value.end() && ts != final_value.end() && *v == value && ts->is_number() &&
           *ts == json(*op.intent.timestamp_ms);
}

// The op may have applied its write: acknowledged, or unknown (timeout).
bool may_be_applied(Acknowledgement ack) {
    return ack == Acknowledgement::acknowledged || ack == Acknowledgement::indeterminate;
}

std::string_view acknowledgement_name(Acknowledgement ack) {
    switch (ack) {
        case Acknowledgement::acknowledged:
            return "acknowledged";
        case Acknowledgement::rejected:
            return "rejected";
        case Acknowledgement::discarded:
            return "discarded";
        case Acknowledgement::indeterminate:
            return "indeterminate";
    }
    return "unknown";
}

std::string in_quotes(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

class FieldCheck {
  public:
    FieldCheck(CheckContext& c, const ResourceFacts& r, std::string_view pointer,
               std::vector<FieldWrite>& writes)
        : c_(c), r_(r), pointer_(pointer), writes_(writes), kind_(c.history.kind) {}

    void run() {
        if (kind_ == WorkloadKind::disjoint_fields)
            sort_by_completion();
        final_ = value_at(r_.final_body(), pointer_);
        find_holders();
        find_expected();
        check_phantom();
        if (!expected_)
            return;  // no acknowledged write to find
        ++c_.report.fields_checked;
        if (acceptable())
            return;
        if (holders_.empty() && r_.foreign_possible) {
            // No op wrote what is there (or the field is gone) and a write
            // without op id may have: the foreign write fault's business.
            ++c_.report.excused_by_foreign;
            return;
        }
        report_lost();
    }

  private:
    const OpRecord& op_at(std::size_t k) const { return c_.op(writes_[k].op); }
    Acknowledgement ack_at(std::size_t k) const { return c_.ops[writes_[k].op].ack; }

    // disjoint-fields: a writer's ops are sequential, so completion order is
    // the order its writes took effect.
    void sort_by_completion() {
        std::stable_sort(writes_.begin(), writes_.end(),
                         [&](const FieldWrite& a, const FieldWrite& b) {
                             const OpRecord& x = c_.op(a.op);
                             const OpRecord& y = c_.op(b.op);
                             if (x.completed_ms != y.completed_ms)
                                 return x.completed_ms < y.completed_ms;
                             return x.invoked_ms < y.invoked_ms;
                         });
    }

    void find_holders() {
        if (final_ == nullptr)
            return;
        for (std::size_t k = 0; k < writes_.size(); ++k) {
            if (holds(*final_, op_at(k), *writes_[k].value))
                holders_.push_back(k);
        }
    }

    // The write the final state must show (or tie with): register and
    // overlapping, the required acknowledged write with the greatest
    // timestamp (ties named by the smallest op id); disjoint, the last one.
    void find_expected() {
        for (std::size_t k = 0; k < writes_.size(); ++k) {
            if (!c_.ops[writes_[k].op].required)
                continue;
            if (kind_ == WorkloadKind::disjoint_fields) {
                expected_ = k;
                continue;
            }
            const std::int64_t ts = ts_of(op_at(k));
            if (!expected_ || ts > newest_ts_ ||
                (ts == newest_ts_ && op_at(k).op_id < op_at(*expected_).op_id)) {
                expected_ = k;
                newest_ts_ = ts;
            }
        }
    }

    bool acceptable() {
        bool ok = false;
        bool newest = false;
        for (const std::size_t h : holders_) {
            const Acknowledgement ack = ack_at(h);
            switch (kind_) {
                case WorkloadKind::disjoint_fields:
                    // A later indeterminate write of the same field may have
                    // landed after the last acknowledged one.
                    ok = ok || h == *expected_ ||
                         (ack == Acknowledgement::indeterminate && h > *expected_);
                    break;
                case WorkloadKind::register_lww:
                    // Ties and newer indeterminate writes may win LWW.
                    ok = ok || (may_be_applied(ack) && ts_of(op_at(h)) >= newest_ts_);
                    break;
                default:  // overlapping-fields: field rules may keep any applied value
                    ok = ok || may_be_applied(ack);
                    newest = newest || (may_be_applied(ack) && ts_of(op_at(h)) >= newest_ts_);
                    break;
            }
        }
        if (newest)
            ++c_.report.fields_final_newest;
        return ok;
    }

    // A value only rejected ops wrote: a write the client was told failed.
    void check_phantom() {
        if (holders_.empty())
            return;
        std::optional<std::size_t> rejected;
        for (const std::size_t h : holders_) {
            const Acknowledgement ack = ack_at(h);
            if (may_be_applied(ack))
                return;
            if (ack == Acknowledgement::rejected && !rejected)
                rejected = h;
        }
        if (!rejected)
            return;
        const OpRecord& op = op_at(*rejected);
        c_.sink.report(kPhantomWrite, r_.id, op.op_id, [&] {
            return Anomaly{std::string(kPhantomWrite),
                           std::string(r_.id),
                           {op.op_id},
                           versions(writes_[*rejected].op),
                           "field " + in_quotes(pointer_) + " holds " + brief_json(final_) +
                               " of rejected op " + in_quotes(op.op_id) + " (failed: " +
                               std::string(engine::failure_reason_name(op.outcome.reason)) +
                               "); no acknowledged or indeterminate op wrote that value"};
        });
    }

    void report_lost() {
        const OpRecord& expected = op_at(*expected_);
        c_.sink.report(kLostUpdate, r_.id, expected.op_id, [&] {
            std::vector<std::string> op_ids{expected.op_id};
            if (!holders_.empty() && op_at(holders_.front()).op_id != expected.op_id) {
                op_ids.push_back(op_at(holders_.front()).op_id);
            }
            return Anomaly{std::string(kLostUpdate), std::string(r_.id), std::move(op_ids),
                           versions(writes_[*expected_].op), lost_detail(expected)};
        });
    }

    std::string lost_detail(const OpRecord& expected) const {
        const std::string wrote = brief_json(writes_[*expected_].value);
        const std::string ts =
            expected.intent.timestamp_ms ? std::to_string(*expected.intent.timestamp_ms) : "none";
        std::string head = "field " + in_quotes(pointer_) + ": ";
        switch (kind_) {
            case WorkloadKind::disjoint_fields:
                head += "expected " + wrote + " of op " + in_quotes(expected.op_id) +
                        " (its writer's last acknowledged write)";
                break;
            case WorkloadKind::register_lww:
                head += "expected " + wrote + " (ts " + ts + ") of acknowledged op " +
                        in_quotes(expected.op_id) + " (greatest timestamp)";
                break;
            default:
                head +=
                    "no acknowledged or indeterminate op wrote the final value (newest "
                    "acknowledged: op " +
                    in_quotes(expected.op_id) + " wrote " + wrote + ", ts " + ts + ")";
                break;
        }
        return head + "; found " + found();
    }

    std::string found() const {
        if (final_ == nullptr) {
            if (!r_.server->final_body) {
                return r_.server->deleted ? "nothing (the resource is deleted)"
                                          : "nothing (the resource has no final state)";
            }
            return "nothing (the field is missing)";
        }
        std::string text = brief_json(final_);
        if (holders_.empty())
            return text + " (no op wrote it)";
        const std::size_t h = holders_.front();
        return text + " from " + std::string(acknowledgement_name(ack_at(h))) + " op " +
               in_quotes(op_at(h).op_id);
    }

    // The version the op wrote (when recorded) and the final version.
    std::vector<std::string> versions(std::uint32_t op) const {
        std::vector<std::string> out;
        if (const std::string_view written = c_.written_etag(op, r_); !written.empty()) {
            out.emplace_back(written);
        }
        if (!r_.server->final_etag.empty() &&
            (out.empty() || out.front() != r_.server->final_etag)) {
            out.push_back(r_.server->final_etag);
        }
        return out;
    }

    CheckContext& c_;
    const ResourceFacts& r_;
    std::string_view pointer_;
    std::vector<FieldWrite>& writes_;
    WorkloadKind kind_;
    const json* final_ = nullptr;
    std::vector<std::size_t> holders_;     // positions in writes_ whose value is final_
    std::optional<std::size_t> expected_;  // position in writes_
    std::int64_t newest_ts_ = kNoTimestamp;
};

}  // namespace

std::string brief_json(const json* value) {
    if (value == nullptr)
        return "nothing";
    std::string text = value->dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > kBriefJsonChars) {
        text.resize(kBriefJsonChars);
        text += "...";
    }
    return text;
}

FieldGroups group_fields(const CheckContext& c, const ResourceFacts& r) {
    FieldGroups groups;
    for (const std::uint32_t i : r.ops) {
        for (const auto& [pointer, value] : c.op(i).intent.fields) {
            groups[pointer].push_back(FieldWrite{i, &value});
        }
    }
    return groups;
}

void check_fields(CheckContext& c, const ResourceFacts& r) {
    FieldGroups groups = group_fields(c, r);
    for (auto& [pointer, writes] : groups)
        FieldCheck(c, r, pointer, writes).run();
    if (c.history.kind == WorkloadKind::register_lww)
        check_discards(c, r);
}

}  // namespace conflictlab::harness::checker_detail
