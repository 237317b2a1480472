// Engine core benchmarks: state-machine throughput (steps/s) for whole
// resolutions, the three-way merge against nlohmann's RFC 7396 merge_patch as
// the reference cost of touching a document, and backoff sampling.
//
// Run: build-*/engine/engine_bench --benchmark_min_time=0.5
// Results and the exact command: docs/performance.md "## Engine core".
#include <benchmark/benchmark.h>

#include <string>

#include <nlohmann/json.hpp>

#include "conflictlab/engine/backoff.hpp"
#include "conflictlab/engine/merge.hpp"
#include "conflictlab/engine/resolution.hpp"

namespace {

using conflictlab::engine::Action;
using conflictlab::engine::BackoffKind;
using conflictlab::engine::BackoffOptions;
using conflictlab::engine::Done;
using conflictlab::engine::Policy;
using conflictlab::engine::Resolution;
using conflictlab::engine::Response;
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

// One full conflict -> refetch -> merge -> retry resolution per iteration:
// start, 409, (timer), current state, 200 = 4 or 5 steps.
void run_conflict_merge_retry(benchmark::State& state, std::size_t doc_bytes, bool with_sleep) {
    Triple t = make_triple(doc_bytes);
    Policy policy;
    policy.strategy = Strategy::merge;
    policy.timestamp_pointer = "/updatedAt";
    policy.backoff = with_sleep ? BackoffOptions{BackoffKind::full_jitter, 100, 2.0, 20'000, 0.0}
                                : BackoffOptions{BackoffKind::none, 0, 2.0, 0, 0.0};
    Update update;
    update.resource_id = "doc-1";
    update.payload = t.ours;
    update.base_body = t.base;
    update.base_token = "\"v1\"";
    update.writer_id = "w1";
    update.op_id = "op-1";
    const Response conflict = reply(409);
    const Response current = reply(200, t.theirs.dump(), "\"v2\"");
    const Response accepted = reply(200, {}, "\"v3\"");
    Xoshiro256 random(1);
    std::int64_t steps = 0;
    for (auto _ : state) {
        Resolution r(update, policy, random);
        Timestamp now{0};
        Action a = r.start(now);
        ++steps;
        int writes = 0;
        // Drive whatever comes: a zero jitter draw skips the Sleep.
        while (!std::holds_alternative<Done>(a)) {
            now += Timestamp{1000};
            ++steps;
            if (std::holds_alternative<conflictlab::engine::Sleep>(a)) {
                a = r.on_timer(now);
            } else if (std::get<conflictlab::engine::SendRequest>(a).method == "GET") {
                a = r.on_response(current, now);
            } else {
                a = r.on_response(++writes == 1 ? conflict : accepted, now);
            }
        }
        if (std::get<Done>(a).outcome.path != "refetch>merge>retry") {
            state.SkipWithError("unexpected path");
            break;
        }
        benchmark::DoNotOptimize(a);
    }
    state.counters["steps/s"] =
        benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
    state.SetItemsProcessed(state.iterations());
}

void BM_Resolution_Direct(benchmark::State& state) {
    Policy policy;
    Update update;
    update.resource_id = "doc-1";
    update.payload = {{"name", "x"}, {"value", 1}};
    update.base_token = "\"v1\"";
    const Response accepted = reply(200, {}, "\"v2\"");
    Xoshiro256 random(1);
    for (auto _ : state) {
        Resolution r(update, policy, random);
        Action a = r.start(Timestamp{0});
        a = r.on_response(accepted, Timestamp{1000});
        benchmark::DoNotOptimize(a);
    }
    state.counters["steps/s"] = benchmark::Counter(static_cast<double>(state.iterations() * 2),
                                                   benchmark::Counter::kIsRate);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Resolution_Direct);

void BM_Resolution_ConflictMergeRetry_Small(benchmark::State& state) {
    run_conflict_merge_retry(state, 256, false);
}
BENCHMARK(BM_Resolution_ConflictMergeRetry_Small);

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
BENCHMARK(BM_ThreeWayMerge)->Arg(1024)->Arg(100 * 1024);

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
BENCHMARK(BM_NlohmannMergePatch)->Arg(1024)->Arg(100 * 1024);

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
