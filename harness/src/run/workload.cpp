#include "conflictlab/harness/workload.hpp"

#include "conflictlab/common/json_text.hpp"
#include "conflictlab/engine/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace conflictlab::harness {

KeyPicker::KeyPicker(const KeySpec& spec, int resources, int writers)
    : spec_(spec),
      resources_(std::max(1, resources)),
      writers_(std::clamp(writers, 1, resources_)) {
    if (spec_.distribution == KeyDistribution::zipf) {
        // P(k) ~ 1/(k+1)^s; the CDF is built once and shared by all writers.
        zipf_cdf_.resize(static_cast<std::size_t>(resources_));
        double sum = 0;
        for (int k = 0; k < resources_; ++k) {
            sum += 1.0 / std::pow(static_cast<double>(k + 1), spec_.zipf_exponent);
            zipf_cdf_[static_cast<std::size_t>(k)] = sum;
        }
        for (auto& c : zipf_cdf_)
            c /= sum;
    }
}

int KeyPicker::pick(engine::RandomSource& random, int owner) const {
    const auto uniform_in = [&random](int lo, int count) {
        return lo + static_cast<int>(random.next() % static_cast<std::uint64_t>(count));
    };
    switch (spec_.distribution) {
        case KeyDistribution::uniform:
            return uniform_in(0, resources_);
        case KeyDistribution::zipf: {
            const double u = random.uniform01();
            const auto it = std::upper_bound(zipf_cdf_.begin(), zipf_cdf_.end(), u);
            const auto index = static_cast<int>(it - zipf_cdf_.begin());
            return std::min(index, resources_ - 1);
        }
        case KeyDistribution::hot: {
            const int hot = std::clamp(spec_.hot_keys, 1, resources_);
            const double u = random.uniform01();
            if (hot == resources_ || u < spec_.hot_fraction)
                return uniform_in(0, hot);
            return uniform_in(hot, resources_ - hot);
        }
        case KeyDistribution::owned: {
            const int first = owner % writers_;
            const int owned = (resources_ - first + writers_ - 1) / writers_;
            return first + writers_ * uniform_in(0, owned);
        }
    }
    return 0;
}

std::vector<WriterPlan> plan_writers(const Scenario& scenario, std::uint64_t seed) {
    engine::Xoshiro256 top(seed);
    std::vector<WriterPlan> writers;
    const std::int64_t skew = scenario.workload.timestamp_skew_ms;
    int index = 0;
    for (std::size_t g = 0; g < scenario.groups.size(); ++g) {
        for (int i = 0; i < scenario.groups[g].writers; ++i, ++index) {
            WriterPlan w;
            w.index = index;
            w.id = "w" + std::to_string(index);
            w.group = static_cast<int>(g);
            w.seed = top.next();
            // Keys get their own stream so a pair can share it (below).
            w.key_seed = w.seed ^ 0x9e3779b97f4a7c15ULL;
            if (skew > 0) {
                const auto span = static_cast<std::uint64_t>(2 * skew + 1);
                w.skew_ms = static_cast<std::int64_t>(top.next() % span) - skew;
            }
            writers.push_back(std::move(w));
        }
    }
    if (scenario.workload.simultaneous_pairs) {
        for (std::size_t i = 0; i + 1 < writers.size(); i += 2) {
            writers[i].partner = static_cast<int>(i + 1);
            writers[i + 1].partner = static_cast<int>(i);
            writers[i + 1].key_seed = writers[i].key_seed;
        }
    }
    return writers;
}

engine::Policy effective_policy(WorkloadKind kind, engine::Policy policy) {
    switch (kind) {
        case WorkloadKind::set_add:
        case WorkloadKind::blind:
            if (policy.strategy == engine::Strategy::merge && policy.set_merge_pointers.empty()) {
                policy.set_merge_pointers = {"/items"};
            }
            break;
        case WorkloadKind::register_lww:
        case WorkloadKind::overlapping_fields:
            if (policy.timestamp_pointer.empty())
                policy.timestamp_pointer = "/updated_at";
            break;
        case WorkloadKind::disjoint_fields:
            break;
    }
    return policy;
}

namespace {

int total_writers(const Scenario& scenario) {
    int n = 0;
    for (const auto& g : scenario.groups)
        n += g.writers;
    return n;
}

}  // namespace

WorkloadModel::WorkloadModel(const Scenario& scenario)
    : spec_(scenario.workload),
      keys_(scenario.workload.keys, scenario.workload.resources, total_writers(scenario)) {
    for (const auto& group : scenario.groups) {
        policies_.push_back(
            std::make_shared<const engine::Policy>(effective_policy(spec_.kind, group.policy)));
    }
}

std::string WorkloadModel::resource_id(int index) const {
    return spec_.resource_prefix + std::to_string(index);
}

nlohmann::json WorkloadModel::initial_body() const {
    switch (spec_.kind) {
        case WorkloadKind::set_add:
        case WorkloadKind::blind:
            return {{"items", nlohmann::json::array()}};
        case WorkloadKind::register_lww:
        case WorkloadKind::overlapping_fields: {
            nlohmann::json fields = nlohmann::json::object();
            for (int f = 0; f < std::max(1, spec_.fields); ++f) {
                fields["f" + std::to_string(f)] = nullptr;
            }
            return {{"updated_at", 0}, {"fields", fields}};
        }
        case WorkloadKind::disjoint_fields:
            return {{"fields", nlohmann::json::object()}};
    }
    return nlohmann::json::object();
}

WriterState::WriterState(const WriterPlan& plan, const WorkloadModel& model)
    : plan_(plan), model_(&model), random_(plan.seed), key_random_(plan.key_seed) {}

OpPlan WriterState::next_op() {
    OpPlan op;
    op.number = next_number_++;
    op.op_id = plan_.id + "-" + std::to_string(op.number);
    // A pair shares its keys: both pick as the pair's first writer.
    const int owner = plan_.partner >= 0 ? std::min(plan_.index, plan_.partner) : plan_.index;
    op.resource = model_->keys().pick(key_random_, owner);
    const double patch_draw = random_.uniform01();
    op.method = patch_draw < model_->spec().patch_fraction ? engine::WriteMethod::patch
                                                           : engine::WriteMethod::put;
    op.field = static_cast<int>(random_.next() %
                                static_cast<std::uint64_t>(std::max(1, model_->spec().fields)));
    op.resolution_seed = random_.next();
    return op;
}

namespace {

// {"ts": now_ms, "value": op_id}, without an initializer list (which builds
// and inspects a temporary of every element first).
nlohmann::json register_cell(const std::string& op_id, std::int64_t now_ms) {
    nlohmann::json cell(nlohmann::json::value_t::object);
    cell["ts"] = now_ms;
    cell["value"] = op_id;
    return cell;
}

nlohmann::json& ensure_object(nlohmann::json& parent, const char* key) {
    auto& child = parent[key];
    if (!child.is_object())
        child = nlohmann::json::object();
    return child;
}

}  // namespace

namespace {

// generate_op with the current body taken by value: start_op moves the body it
// parsed in (one document copy fewer per op), and the patch is only built
// for PATCH (a PUT would throw it away).
GeneratedOp generate_op_from(const WorkloadModel& model, const WriterPlan& writer, const OpPlan& op,
                             std::optional<nlohmann::json> current_body,
                             const std::optional<std::string>& current_token, std::int64_t now_ms) {
    GeneratedOp out;
    engine::Update& u = out.update;
    u.resource_id = model.resource_id(op.resource);
    u.method = op.method;
    u.writer_id = writer.id;
    u.op_id = op.op_id;
    u.correlation_id = op.op_id;
    const WorkloadKind kind = model.spec().kind;
    if (kind != WorkloadKind::blind) {
        u.base_token = current_token;
        if (current_body)
            u.base_body = *current_body;
    }
    nlohmann::json desired =
        current_body && current_body->is_object() ? std::move(*current_body) : model.initial_body();
    const bool want_patch = op.method == engine::WriteMethod::patch;
    nlohmann::json patch = nlohmann::json::object();
    switch (kind) {
        case WorkloadKind::set_add:
        case WorkloadKind::blind: {
            auto& items = desired["items"];
            if (!items.is_array())
                items = nlohmann::json::array();
            items.push_back(op.op_id);
            // RFC 7396 replaces arrays whole: the patch carries the new array.
            if (want_patch)
                patch["items"] = items;
            out.intent.element = op.op_id;
            break;
        }
        case WorkloadKind::register_lww: {
            // A register is the whole document: every field takes this op's
            // value, so last-writer-wins by /updated_at is well defined.
            auto& fields = ensure_object(desired, "fields");
            for (int f = 0; f < std::max(1, model.spec().fields); ++f) {
                const std::string name = "f" + std::to_string(f);
                nlohmann::json cell = register_cell(op.op_id, now_ms);
                if (want_patch)
                    patch["fields"][name] = cell;
                fields[name] = std::move(cell);
                out.intent.fields["/fields/" + name] = op.op_id;
            }
            desired["updated_at"] = now_ms;
            if (want_patch)
                patch["updated_at"] = now_ms;
            out.intent.timestamp_ms = now_ms;
            break;
        }
        case WorkloadKind::disjoint_fields: {
            ensure_object(desired, "fields")[writer.id] = op.op_id;
            patch["fields"][writer.id] = op.op_id;
            out.intent.fields["/fields/" + writer.id] = op.op_id;
            break;
        }
        case WorkloadKind::overlapping_fields: {
            const std::string name = "f" + std::to_string(op.field);
            const nlohmann::json cell = register_cell(op.op_id, now_ms);
            ensure_object(desired, "fields")[name] = cell;
            desired["updated_at"] = now_ms;
            patch["fields"][name] = cell;
            patch["updated_at"] = now_ms;
            out.intent.fields["/fields/" + name] = op.op_id;
            out.intent.timestamp_ms = now_ms;
            break;
        }
    }
    u.payload = want_patch ? std::move(patch) : std::move(desired);
    return out;
}

}  // namespace

GeneratedOp generate_op(const WorkloadModel& model, const WriterPlan& writer, const OpPlan& op,
                        const std::optional<nlohmann::json>& current_body,
                        const std::optional<std::string>& current_token, std::int64_t now_ms) {
    return generate_op_from(model, writer, op, current_body, current_token, now_ms);
}

bool read_is_usable(const engine::Response* response) noexcept {
    if (response == nullptr)
        return false;
    return response->status / 100 == 2 || response->status == 404 || response->status == 410;
}

std::optional<std::chrono::milliseconds> read_retry_delay(const engine::Policy& policy,
                                                          int failed_reads, std::uint64_t seed) {
    if (failed_reads >= std::max(1, policy.max_attempts))
        return std::nullopt;
    // Replays the backoff from the start: reads are few (<= max_attempts) and
    // the delay then depends on nothing but the seed and the count.
    engine::Xoshiro256 random(seed ^ 0x7265616472657472ull);  // "readretr"
    engine::Backoff backoff(policy.backoff);
    std::chrono::milliseconds delay{0};
    for (int i = 0; i < failed_reads; ++i)
        delay = backoff.next_delay(random);
    return delay;
}

engine::Outcome unreadable_outcome(const OpRecord& record, int failed_reads,
                                   const std::string& last) {
    engine::Outcome o;
    o.kind = engine::OutcomeKind::failed;
    o.reason = engine::FailureReason::exhausted_transient;
    o.detail = "the resource could not be read in " + std::to_string(failed_reads) +
               " attempts (last: " + last + "); nothing was written";
    o.path = "read-failed";
    o.resource_id = record.resource_id;
    o.op_id = record.op_id;
    o.writer_id = record.writer_id;
    return o;
}

engine::Outcome give_up_unreadable(const WorkloadModel& model, const WriterPlan& writer,
                                   const OpPlan& op, std::int64_t now_ms, OpRecord& record,
                                   int failed_reads, const std::string& last) {
    record.intent = generate_op(model, writer, op, std::nullopt, std::nullopt, now_ms).intent;
    return unreadable_outcome(record, failed_reads, last);
}

std::string describe_read_failure(const engine::Response* response,
                                  const engine::TransportError* error) {
    if (response != nullptr)
        return "status " + std::to_string(response->status);
    return error != nullptr ? error->detail : std::string("no response");
}

namespace {

// The token the writer starts from, read from the GET where the group's
// target profile says the server keeps it.
std::optional<std::string> token_of(const engine::Policy& policy, const engine::Response& response,
                                    const std::optional<nlohmann::json>& body) {
    if (policy.target.token_source == engine::TokenSource::etag_header) {
        if (auto etag = response.headers.get("ETag"))
            return std::string(*etag);
        return std::nullopt;
    }
    if (!body || policy.target.token_pointer.empty())
        return std::nullopt;
    try {
        const nlohmann::json::json_pointer p(policy.target.token_pointer);
        if (!body->contains(p))
            return std::nullopt;
        const auto& v = body->at(p);
        return v.is_string() ? v.get<std::string>() : v.dump();
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

}  // namespace

namespace {

// `gone`: the op's read found the resource absent (404/410).
StartedOp start_from(const WorkloadModel& model, const WriterPlan& writer, const OpPlan& op,
                     std::optional<nlohmann::json> body, const std::optional<std::string>& token,
                     bool gone, std::int64_t now_ms, OpRecord& record) {
    GeneratedOp g = generate_op_from(model, writer, op, std::move(body), token, now_ms);
    // The resource is absent (deleted): create it with If-None-Match: *, so
    // two writers that both read 404 cannot overwrite each other's creation.
    // Blind writers stay unconditional (losing updates is their point).
    if (gone && model.spec().kind != WorkloadKind::blind)
        g.update.create_only = true;
    record.intent = std::move(g.intent);
    StartedOp started;
    started.random = std::make_unique<engine::Xoshiro256>(op.resolution_seed);
    try {
        started.resolution = std::make_unique<engine::Resolution>(
            std::move(g.update), model.shared_policy(writer.group), *started.random);
    } catch (const std::exception& e) {
        engine::Outcome o;
        o.kind = engine::OutcomeKind::failed;
        o.reason = engine::FailureReason::non_retryable_4xx;
        o.detail = std::string("the harness built an invalid update: ") + e.what();
        o.resource_id = record.resource_id;
        o.op_id = op.op_id;
        o.writer_id = writer.id;
        started.failed = std::move(o);
    }
    return started;
}

}  // namespace

StartedOp start_op(const WorkloadModel& model, const WriterPlan& writer, const OpPlan& op,
                   const engine::Response& read, std::int64_t now_ms, OpRecord& record) {
    const engine::Policy& policy = model.policy(writer.group);
    std::optional<nlohmann::json> body;
    std::optional<std::string> token;
    if (read.status / 100 == 2) {
        auto parsed = parse_json(read.body, false);
        if (!parsed.is_discarded())
            body = std::move(parsed);
        token = token_of(policy, read, body);
    }
    const bool gone = read.status == 404 || read.status == 410;
    return start_from(model, writer, op, std::move(body), token, gone, now_ms, record);
}

StartedOp start_op_from_known(const WorkloadModel& model, const WriterPlan& writer,
                              const OpPlan& op, const KnownState& known, std::int64_t now_ms,
                              OpRecord& record) {
    return start_from(model, writer, op, known.body, known.token, false, now_ms, record);
}

std::size_t KnownStates::capacity_for(const WorkloadSpec& spec) noexcept {
    // A few resources per writer: enough for writers that own their keys,
    // small enough that 10,000 writers hold at most 40,000 documents.
    return spec.read_before_write == ReadBeforeWrite::unless_known ? 4 : 0;
}

void KnownStates::after_op(int resource, engine::Outcome& outcome) {
    if (capacity_ == 0)
        return;
    std::erase_if(states_, [resource](const KnownState& s) { return s.resource == resource; });
    const bool acknowledged = outcome.kind == engine::OutcomeKind::success ||
                              outcome.kind == engine::OutcomeKind::resolved;
    // Only a PUT's body is the whole state; a PATCH's is a patch.
    if (!acknowledged || outcome.method != engine::WriteMethod::put || !outcome.final_body ||
        !outcome.final_body->is_object() || !outcome.token_after || outcome.token_after->empty())
        return;
    if (states_.size() == capacity_)
        states_.erase(states_.begin());
    states_.push_back(KnownState{resource, std::move(*outcome.final_body), *outcome.token_after});
    outcome.final_body.reset();
}

const KnownState* KnownStates::find(int resource) const noexcept {
    for (const auto& s : states_) {
        if (s.resource == resource)
            return &s;
    }
    return nullptr;
}

}  // namespace conflictlab::harness
