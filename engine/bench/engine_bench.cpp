// Engine core benchmarks: state-machine throughput (steps/s) for whole
// resolutions, the three-way merge against nlohmann's RFC 7396 merge_patch as
// the reference cost of touching a document, and backoff sampling.
//
// Run: build-*/engine/engine_bench --benchmark_repetitions=5
//        --benchmark_report_aggregates_only=true
// Results and the exact command: docs/performance.md "## Engine core".
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "conflictlab/common/json_text.hpp"
#include "conflictlab/engine/backoff.hpp"
#include "conflictlab/engine/merge.hpp"
#include "conflictlab/engine/resolution.hpp"

namespace {

using conflictlab::engine::Action;
using conflictlab::engine::BackoffKind;
using conflictlab::engine::BackoffOptions;
using conflictlab::engine::Done;
using conflictlab::engine::Policy;
using conflictlab::engine::RequestPurpose;
using conflictlab::engine::Resolution;
using conflictlab::engine::Response;
using conflictlab::engine::SendRequest;
using conflictlab::engine::Strategy;
using conflictlab::engine::Timestamp;
using conflictlab::engine::Update;
using conflictlab::engine::Xoshiro256;
using nlohmann::json;

// A document of roughly `bytes` serialized bytes: many small records.
json make_document(std::size_t bytes) {
    json doc = json::object();
    doc["updatedAt"] = "2026-01-01T10:00:00Z";
    doc["type"] = "invoice";
    for (int i = 0; doc.dump().size() < bytes; ++i) {
        doc["field" + std::to_string(i)] = {
            {"name", "record-" + std::to_string(i)}, {"value", i}, {"tags", {"a", "b"}}};
    }
    return doc;
}

// ours changes every 10th record, theirs every 10th record offset by 5.
struct Triple {
    json base, ours, theirs;
};

Triple make_triple(std::size_t bytes) {
    Triple t{make_document(bytes), {}, {}};
    t.ours = t.base;
    t.theirs = t.base;
    int i = 0;
    for (auto& [key, value] : t.ours.items()) {
        if (value.is_object() && i++ % 10 == 0)
            value["value"] = -1;
    }
    i = 0;
    for (auto& [key, value] : t.theirs.items()) {
        if (value.is_object() && i++ % 10 == 5)
            value["name"] = "theirs";
    }
    t.ours["updatedAt"] = "2026-01-01T10:00:05Z";
    t.theirs["updatedAt"] = "2026-01-01T10:00:03Z";
    return t;
}

Response reply(int status, std::string body = {}, const char* etag = nullptr) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    if (etag != nullptr)
        r.headers.add("ETag", etag);
    return r;
}

// Updates ready to be moved into a Resolution, as a driver does (the harness
// builds one Update per operation and moves it in). Building them is the
// workload's cost, not the engine's, so refills run with the timer paused.
// The pool is small enough to stay in cache (a driver's fresh Update is hot
// too) and large enough to make the pause overhead negligible.
class UpdatePool {
  public:
    UpdatePool(Update prototype, std::size_t doc_bytes)
        : prototype_(std::move(prototype)),
          pool_(std::clamp<std::size_t>((64u << 10) / std::max<std::size_t>(doc_bytes, 1), 2, 64)),
          next_(pool_.size()) {}

    Update take(benchmark::State& state) {
        if (next_ == pool_.size()) {
            state.PauseTiming();
            for (auto& u : pool_)
                u = prototype_;
            next_ = 0;
            state.ResumeTiming();
        }
        return std::move(pool_[next_++]);
    }

  private:
    Update prototype_;
    std::vector<Update> pool_;
    std::size_t next_;
};

// Canned responses (built once, as a driver's parsed HTTP message would be)
// fed to a resolution until Done. Returns the events fed, start() included.
struct Script {
    const Response* first_write = nullptr;  // answer to the first write
    const Response* fetch = nullptr;        // answer to every GET
    const Response* later_write = nullptr;  // answer to later writes

    std::int64_t drive(Resolution& r, Action& a) const {
        Timestamp now{0};
        a = r.start(now);
        std::int64_t steps = 1;
        int writes = 0;
        // Drive whatever comes: a zero jitter draw skips the Sleep.
        while (!std::holds_alternative<Done>(a)) {
            now += Timestamp{1000};
            ++steps;
            if (std::holds_alternative<conflictlab::engine::Sleep>(a)) {
                a = r.on_timer(now);
            } else if (std::get<SendRequest>(a).purpose != RequestPurpose::write) {
                a = r.on_response(*fetch, now);
            } else {
                a = r.on_response(++writes == 1 ? *first_write : *later_write, now);
            }
        }
        return steps;
    }
};

void report_steps(benchmark::State& state, std::int64_t steps) {
    state.counters["steps/s"] =
        benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
    state.counters["steps/resolution"] =
        static_cast<double>(steps) /
        static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
    state.SetItemsProcessed(state.iterations());
}

// Runs `script` once per iteration on an Update moved in from `pool` and the
// shared policy; fails the benchmark when the path is not `expected_path`.
void run_resolutions(benchmark::State& state, UpdatePool& pool,
                     const std::shared_ptr<const Policy>& policy, const Script& script,
                     std::string_view expected_path) {
    Xoshiro256 random(1);
    std::int64_t steps = 0;
    for (auto _ : state) {
        Resolution r(pool.take(state), policy, random);
        Action a;
        steps += script.drive(r, a);
        if (std::get<Done>(a).outcome.path != expected_path) {
            state.SkipWithError("unexpected path");
            break;
        }
        benchmark::DoNotOptimize(a);
    }
    report_steps(state, steps);
}

Update merge_update(const Triple& t) {
    Update update;
    update.resource_id = "doc-1";
    update.payload = t.ours;
    update.base_body = t.base;
    update.base_token = "\"v1\"";
    update.writer_id = "w1";
    update.op_id = "op-1";
    return update;
}

std::shared_ptr<const Policy> merge_policy(bool with_sleep) {
    auto policy = std::make_shared<Policy>();
    policy->strategy = Strategy::merge;
    policy->timestamp_pointer = "/updatedAt";
    policy->backoff = with_sleep ? BackoffOptions{BackoffKind::full_jitter, 100, 2.0, 20'000, 0.0}
                                 : BackoffOptions{BackoffKind::none, 0, 2.0, 0, 0.0};
    return policy;
}

// One full conflict -> refetch -> merge -> retry resolution per iteration:
// start, 409, (timer), current state, 200 = 4 or 5 steps. The fetched body
// is parsed, merged and the retry body serialised on every iteration: that
// is the engine's work. The update is moved in and the policy shared, as a
// driver does (see the _CopyInputs variant for the cost of copying both).
void run_conflict_merge_retry(benchmark::State& state, std::size_t doc_bytes, bool with_sleep) {
    Triple t = make_triple(doc_bytes);
    UpdatePool pool(merge_update(t), doc_bytes);
    const Response conflict = reply(409);
    const Response current = reply(200, t.theirs.dump(), "\"v2\"");
    const Response accepted = reply(200, {}, "\"v3\"");
    run_resolutions(state, pool, merge_policy(with_sleep), Script{&conflict, &current, &accepted},
                    "refetch>merge>retry");
}

void BM_Resolution_Direct(benchmark::State& state) {
    Update update;
    update.resource_id = "doc-1";
    update.payload = {{"name", "x"}, {"value", 1}};
    update.base_token = "\"v1\"";
    UpdatePool pool(update, 32);
    const Response accepted = reply(200, {}, "\"v2\"");
    run_resolutions(state, pool, std::make_shared<const Policy>(),
                    Script{&accepted, nullptr, nullptr}, "direct");
}
BENCHMARK(BM_Resolution_Direct);

// The machine on the merge path: a 51-byte document of two fields, the
// timestamp changed on both sides (settled by the newer-wins field rule). What
// is left of the document work is a handful of nodes, so this is the
// conflict-merge-retry flow's own cost; the sized variants below add the
// document work, which grows with the document (see BM_ThreeWayMerge).
void BM_Resolution_ConflictMergeRetry_Tiny(benchmark::State& state) {
    run_conflict_merge_retry(state, 0, false);
}
BENCHMARK(BM_Resolution_ConflictMergeRetry_Tiny);

void BM_Resolution_ConflictMergeRetry_Small(benchmark::State& state) {
    run_conflict_merge_retry(state, 256, false);
}
BENCHMARK(BM_Resolution_ConflictMergeRetry_Small);

// The loop as first written: the Update and the Policy copied into every
// Resolution. Kept to show what moving/sharing them saves a driver.
void BM_Resolution_ConflictMergeRetry_Small_CopyInputs(benchmark::State& state) {
    Triple t = make_triple(256);
    const Update update = merge_update(t);
    const Policy policy = *merge_policy(false);
    const Response conflict = reply(409);
    const Response current = reply(200, t.theirs.dump(), "\"v2\"");
    const Response accepted = reply(200, {}, "\"v3\"");
    const Script script{&conflict, &current, &accepted};
    Xoshiro256 random(1);
    std::int64_t steps = 0;
    for (auto _ : state) {
        Resolution r(update, policy, random);
        Action a;
        steps += script.drive(r, a);
        benchmark::DoNotOptimize(a);
    }
    report_steps(state, steps);
}
BENCHMARK(BM_Resolution_ConflictMergeRetry_Small_CopyInputs);

void BM_Resolution_ConflictBackoffMergeRetry_Small(benchmark::State& state) {
    run_conflict_merge_retry(state, 256, true);
}
BENCHMARK(BM_Resolution_ConflictBackoffMergeRetry_Small);

void BM_Resolution_ConflictMergeRetry_1KiB(benchmark::State& state) {
    run_conflict_merge_retry(state, 1024, false);
}
BENCHMARK(BM_Resolution_ConflictMergeRetry_1KiB);

void BM_Resolution_ConflictMergeRetry_100KiB(benchmark::State& state) {
    run_conflict_merge_retry(state, 100 * 1024, false);
}
BENCHMARK(BM_Resolution_ConflictMergeRetry_100KiB);

// ---- the state machine without document work ------------------------------
// Tiny payloads, so what is measured is the machine: classify, transition,
// backoff, token handling, request and outcome building.

Update tiny_update() {
    Update update;
    update.resource_id = "doc-1";
    update.payload = {{"v", 1}};
    update.base_token = "\"v1\"";
    update.writer_id = "w1";
    update.op_id = "op-1";
    return update;
}

std::shared_ptr<const Policy> tiny_policy(Strategy strategy) {
    auto policy = std::make_shared<Policy>();
    policy->strategy = strategy;
    policy->backoff = BackoffOptions{BackoffKind::full_jitter, 100, 2.0, 20'000, 0.0};
    return policy;
}

// 429 with Retry-After -> Sleep -> timer -> resend -> 200: 4 steps.
void BM_Resolution_ThrottledRetry(benchmark::State& state) {
    UpdatePool pool(tiny_update(), 16);
    Response throttled = reply(429);
    throttled.headers.add("Retry-After", "1");
    const Response accepted = reply(200, {}, "\"v2\"");
    run_resolutions(state, pool, tiny_policy(Strategy::overwrite),
                    Script{&throttled, nullptr, &accepted}, "throttled>retry");
}
BENCHMARK(BM_Resolution_ThrottledRetry);

// 412 -> (Sleep) -> GET -> overwrite with the fresh token -> 200: 4-5 steps.
void BM_Resolution_ConflictRefetchOverwrite(benchmark::State& state) {
    UpdatePool pool(tiny_update(), 16);
    const Response conflict = reply(412);
    const Response current = reply(200, R"({"v":0})", "\"v2\"");
    const Response accepted = reply(200, {}, "\"v3\"");
    run_resolutions(state, pool, tiny_policy(Strategy::overwrite),
                    Script{&conflict, &current, &accepted}, "refetch>overwrite>retry");
}
BENCHMARK(BM_Resolution_ConflictRefetchOverwrite);

// 412 -> (Sleep) -> GET finds the update already applied -> Done: 3-4 steps.
void BM_Resolution_ConflictAlreadyApplied(benchmark::State& state) {
    UpdatePool pool(tiny_update(), 16);
    const Response conflict = reply(412);
    const Response current = reply(200, R"({"v":1})", "\"v2\"");
    run_resolutions(state, pool, tiny_policy(Strategy::overwrite),
                    Script{&conflict, &current, nullptr}, "refetch>already-applied");
}
BENCHMARK(BM_Resolution_ConflictAlreadyApplied);

// ---- the phases of a conflict-merge-retry, one at a time -----------------
// Parse the fetched state, merge (BM_ThreeWayMerge), serialise the retry
// body: the JSON work inside BM_Resolution_ConflictMergeRetry_*. What is left
// of a resolution's time after these is the state machine proper.

void BM_Phase_ParseFetchedBody(benchmark::State& state) {
    const std::string body = make_triple(static_cast<std::size_t>(state.range(0))).theirs.dump();
    for (auto _ : state) {
        json parsed = json::parse(body, nullptr, false);
        benchmark::DoNotOptimize(parsed);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_Phase_ParseFetchedBody)->Arg(256)->Arg(1024)->Arg(100 * 1024);

void BM_Phase_SerializeRetryBody(benchmark::State& state) {
    Triple t = make_triple(static_cast<std::size_t>(state.range(0)));
    const json merged = conflictlab::engine::three_way_merge(t.base, t.ours, t.theirs, {}).merged;
    for (auto _ : state) {
        std::string text = merged.dump();
        benchmark::DoNotOptimize(text);
    }
}
BENCHMARK(BM_Phase_SerializeRetryBody)->Arg(256)->Arg(1024)->Arg(100 * 1024);

// The same two phases the way the engine runs them now: parse_json and
// dump_json (common/json_text.hpp), nlohmann's DOM with a fast text path.
void BM_Phase_ParseFetchedBody_Fast(benchmark::State& state) {
    const std::string body = make_triple(static_cast<std::size_t>(state.range(0))).theirs.dump();
    for (auto _ : state) {
        json parsed = conflictlab::parse_json(body, false);
        benchmark::DoNotOptimize(parsed);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_Phase_ParseFetchedBody_Fast)->Arg(256)->Arg(1024)->Arg(100 * 1024);

void BM_Phase_SerializeRetryBody_Fast(benchmark::State& state) {
    Triple t = make_triple(static_cast<std::size_t>(state.range(0)));
    const json merged = conflictlab::engine::three_way_merge(t.base, t.ours, t.theirs, {}).merged;
    for (auto _ : state) {
        std::string text = conflictlab::dump_json(merged);
        benchmark::DoNotOptimize(text);
    }
}
BENCHMARK(BM_Phase_SerializeRetryBody_Fast)->Arg(256)->Arg(1024)->Arg(100 * 1024);

// Freeing a fetched document: nlohmann's destructor vs release_json.
void BM_Phase_FreeDocument(benchmark::State& state) {
    const json doc = make_triple(static_cast<std::size_t>(state.range(0))).theirs;
    const bool fast = state.range(1) != 0;
    std::vector<json> copies(64, doc);
    std::size_t next = copies.size();
    for (auto _ : state) {
        if (next == copies.size()) {
            state.PauseTiming();
            for (auto& c : copies)
                c = doc;
            next = 0;
            state.ResumeTiming();
        }
        if (fast) {
            conflictlab::release_json(copies[next++]);
        } else {
            copies[next++] = nullptr;
        }
    }
    state.SetLabel(fast ? "release_json" : "nlohmann destructor");
}
BENCHMARK(BM_Phase_FreeDocument)->Args({256, 0})->Args({256, 1})->Args({1024, 0})->Args({1024, 1});

// The Update's documents, built per operation by the workload (not the
// engine): shown for scale next to the _CopyInputs variant.
void BM_Phase_CopyUpdate(benchmark::State& state) {
    const Update update = merge_update(make_triple(static_cast<std::size_t>(state.range(0))));
    for (auto _ : state) {
        Update copy = update;
        benchmark::DoNotOptimize(copy);
    }
}
BENCHMARK(BM_Phase_CopyUpdate)->Arg(256);

// The merge itself on in-memory documents (no parsing, no serialization).
void BM_ThreeWayMerge(benchmark::State& state) {
    Triple t = make_triple(static_cast<std::size_t>(state.range(0)));
    conflictlab::engine::MergeOptions options;
    for (auto _ : state) {
        auto r = conflictlab::engine::three_way_merge(t.base, t.ours, t.theirs, options);
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(t.base.dump().size()));
}
BENCHMARK(BM_ThreeWayMerge)->Arg(256)->Arg(1024)->Arg(100 * 1024);

// Reference: nlohmann's RFC 7396 merge_patch applying our change set to a
// copy of theirs; the least work any merge of the same documents must do.
void BM_NlohmannMergePatch(benchmark::State& state) {
    Triple t = make_triple(static_cast<std::size_t>(state.range(0)));
    json patch = conflictlab::engine::create_merge_patch(t.base, t.ours);
    for (auto _ : state) {
        json merged = t.theirs;
        merged.merge_patch(patch);
        benchmark::DoNotOptimize(merged);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(t.base.dump().size()));
}
BENCHMARK(BM_NlohmannMergePatch)->Arg(256)->Arg(1024)->Arg(100 * 1024);

// Set merge of an append-style array of N strings (base N, ours and theirs
// each append one), the set-add workload's hot document. Reference: the
// same change by merge_patch, which replaces the array whole (one copy of
// it): the least work any merge of these arrays can do.
struct SetTriple {
    json base, ours, theirs;
};

SetTriple make_set_triple(std::int64_t n) {
    json items = json::array();
    for (std::int64_t i = 0; i < n; ++i)
        items.push_back("op-" + std::to_string(i));
    SetTriple t{{{"items", items}}, {}, {}};
    t.ours = t.base;
    t.ours["items"].push_back("ours-new");
    t.theirs = t.base;
    t.theirs["items"].push_back("theirs-new");
    return t;
}

void BM_SetMerge(benchmark::State& state) {
    const SetTriple t = make_set_triple(state.range(0));
    conflictlab::engine::MergeOptions options;
    options.set_merge_pointers = {"/items"};
    for (auto _ : state) {
        auto r = conflictlab::engine::three_way_merge(t.base, t.ours, t.theirs, options);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SetMerge)->Arg(100)->Arg(2'500)->Arg(20'000);

void BM_SetMergeReference_MergePatch(benchmark::State& state) {
    const SetTriple t = make_set_triple(state.range(0));
    const json patch = {{"items", t.ours["items"]}};
    for (auto _ : state) {
        json merged = t.theirs;
        merged.merge_patch(patch);
        benchmark::DoNotOptimize(merged);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SetMergeReference_MergePatch)->Arg(100)->Arg(2'500)->Arg(20'000);

void BM_BackoffSample(benchmark::State& state) {
    auto kind = static_cast<BackoffKind>(state.range(0));
    conflictlab::engine::Backoff backoff(BackoffOptions{kind, 100, 2.0, 20'000, 0.1});
    Xoshiro256 random(7);
    std::int64_t n = 0;
    for (auto _ : state) {
        if (++n % 16 == 0)
            backoff.reset();
        benchmark::DoNotOptimize(backoff.next_delay(random));
    }
    state.SetLabel(std::string(conflictlab::engine::backoff_kind_name(kind)));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BackoffSample)->DenseRange(0, 5);

}  // namespace

BENCHMARK_MAIN();
