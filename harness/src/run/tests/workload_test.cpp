#include "conflictlab/harness/workload.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <variant>

namespace conflictlab::harness {
namespace {

Scenario scenario_with(int writers, int resources, WorkloadKind kind = WorkloadKind::set_add) {
    Scenario s;
    s.workload.kind = kind;
    s.workload.resources = resources;
    WriterGroup g;
    g.writers = writers;
    g.policy.strategy = engine::Strategy::merge;
    s.groups.push_back(g);
    return s;
}

TEST(PlanWriters, SameSeedGivesSameChildSeeds) {
    const Scenario s = scenario_with(8, 4);
    const auto a = plan_writers(s, 42);
    const auto b = plan_writers(s, 42);
    ASSERT_EQ(a.size(), 8u);
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].seed, b[i].seed);
        EXPECT_EQ(a[i].id, "w" + std::to_string(i));
    }
    const auto c = plan_writers(s, 43);
    EXPECT_NE(a[0].seed, c[0].seed);
    std::set<std::uint64_t> distinct;
    for (const auto& w : a)
        distinct.insert(w.seed);
    EXPECT_EQ(distinct.size(), a.size());
}

TEST(PlanWriters, GroupsGetConsecutiveWriters) {
    Scenario s = scenario_with(2, 1);
    WriterGroup second;
    second.name = "lww";
    second.writers = 3;
    s.groups.push_back(second);
    const auto w = plan_writers(s, 1);
    ASSERT_EQ(w.size(), 5u);
    EXPECT_EQ(w[1].group, 0);
    EXPECT_EQ(w[2].group, 1);
    EXPECT_EQ(w[4].group, 1);
}

TEST(PlanWriters, SkewStaysWithinBounds) {
    Scenario s = scenario_with(200, 1);
    s.workload.timestamp_skew_ms = 50;
    bool some_negative = false;
    for (const auto& w : plan_writers(s, 7)) {
        EXPECT_GE(w.skew_ms, -50);
        EXPECT_LE(w.skew_ms, 50);
        some_negative = some_negative || w.skew_ms < 0;
    }
    EXPECT_TRUE(some_negative);
}

TEST(PlanWriters, SimultaneousPairsShareTheirKeySequence) {
    Scenario s = scenario_with(5, 1000);
    s.workload.simultaneous_pairs = true;
    const auto w = plan_writers(s, 9);
    EXPECT_EQ(w[0].partner, 1);
    EXPECT_EQ(w[1].partner, 0);
    EXPECT_EQ(w[4].partner, -1);
    const WorkloadModel model(s);
    WriterState a(w[0], model), b(w[1], model), c(w[2], model);
    int same_as_other_pair = 0;
    for (int i = 0; i < 20; ++i) {
        const OpPlan pa = a.next_op(), pb = b.next_op(), pc = c.next_op();
        EXPECT_EQ(pa.resource, pb.resource);
        EXPECT_NE(pa.op_id, pb.op_id);
        same_as_other_pair += pa.resource == pc.resource ? 1 : 0;
    }
    EXPECT_LT(same_as_other_pair, 5);
}

TEST(WriterState, OpsAreDeterministicAndNumbered) {
    const Scenario s = scenario_with(1, 50);
    const auto w = plan_writers(s, 5);
    const WorkloadModel model(s);
    WriterState a(w[0], model), b(w[0], model);
    for (int i = 0; i < 10; ++i) {
        const OpPlan x = a.next_op(), y = b.next_op();
        EXPECT_EQ(x.op_id, "w0-" + std::to_string(i));
        EXPECT_EQ(x.resource, y.resource);
        EXPECT_EQ(x.resolution_seed, y.resolution_seed);
    }
}

TEST(WriterState, PatchFractionChoosesPatch) {
    Scenario s = scenario_with(1, 1);
    s.workload.patch_fraction = 1.0;
    const auto w = plan_writers(s, 5);
    const WorkloadModel model(s);
    WriterState a(w[0], model);
    EXPECT_EQ(a.next_op().method, engine::WriteMethod::patch);
    s.workload.patch_fraction = 0.0;
    const WorkloadModel put_model(s);
    WriterState b(w[0], put_model);
    EXPECT_EQ(b.next_op().method, engine::WriteMethod::put);
}

TEST(KeyPicker, UniformCoversEveryKey) {
    KeySpec spec;
    const KeyPicker picker(spec, 10);
    engine::Xoshiro256 random(1);
    std::set<int> seen;
    for (int i = 0; i < 1000; ++i) {
        const int k = picker.pick(random);
        ASSERT_GE(k, 0);
        ASSERT_LT(k, 10);
        seen.insert(k);
    }
    EXPECT_EQ(seen.size(), 10u);
}

TEST(KeyPicker, HotSendsTheHotFractionToTheHotKeys) {
    KeySpec spec;
    spec.distribution = KeyDistribution::hot;
    spec.hot_fraction = 0.9;
    spec.hot_keys = 2;
    const KeyPicker picker(spec, 100);
    engine::Xoshiro256 random(3);
    int hot = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i)
        hot += picker.pick(random) < 2 ? 1 : 0;
    EXPECT_NEAR(static_cast<double>(hot) / n, 0.9, 0.02);
}

TEST(KeyPicker, ZipfFavoursTheFirstKeys) {
    KeySpec spec;
    spec.distribution = KeyDistribution::zipf;
    spec.zipf_exponent = 1.2;
    const KeyPicker picker(spec, 1000);
    engine::Xoshiro256 random(4);
    std::map<int, int> counts;
    for (int i = 0; i < 20000; ++i)
        ++counts[picker.pick(random)];
    EXPECT_GT(counts[0], counts[1]);
    EXPECT_GT(counts[1], counts[10]);
    EXPECT_GT(counts[0], 20000 / 10);
}

TEST(KeyPicker, OwnedGivesEachWriterOnlyItsOwnResources) {
    KeySpec spec;
    spec.distribution = KeyDistribution::owned;
    const KeyPicker picker(spec, 10, 4);  // writer k owns k, k+4, k+8
    engine::Xoshiro256 random(5);
    for (int owner = 0; owner < 4; ++owner) {
        std::set<int> seen;
        for (int i = 0; i < 500; ++i)
            seen.insert(picker.pick(random, owner));
        std::set<int> expected;
        for (int r = owner; r < 10; r += 4)
            expected.insert(r);
        EXPECT_EQ(seen, expected) << "owner " << owner;
    }
}

TEST(KeyPicker, PairedWritersShareTheFirstWritersOwnedKeys) {
    Scenario s = scenario_with(4, 8);
    s.workload.keys.distribution = KeyDistribution::owned;
    s.workload.simultaneous_pairs = true;
    const WorkloadModel model(s);
    const auto plans = plan_writers(s, 9);
    WriterState first(plans[2], model);
    WriterState second(plans[3], model);
    for (int i = 0; i < 20; ++i) {
        const OpPlan a = first.next_op();
        const OpPlan b = second.next_op();
        EXPECT_EQ(a.resource, b.resource);
        EXPECT_EQ(a.resource % 4, 2);
    }
}

engine::Outcome acknowledged_put(const std::string& token) {
    engine::Outcome o;
    o.kind = engine::OutcomeKind::success;
    o.method = engine::WriteMethod::put;
    o.final_body = nlohmann::json{{"items", {"w0-0"}}};
    o.token_after = token;
    return o;
}

// after_op takes the body out of an lvalue; the tests hand it a fresh copy.
void remember(KnownStates& known, int resource, engine::Outcome outcome) {
    known.after_op(resource, outcome);
}

TEST(KnownStates, RemembersTheStateAndTokenOfAnAcknowledgedPut) {
    KnownStates known(4);
    remember(known, 3, acknowledged_put("\"v2\""));
    const KnownState* s = known.find(3);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->token, "\"v2\"");
    EXPECT_EQ(s->body, (nlohmann::json{{"items", {"w0-0"}}}));
    EXPECT_EQ(known.find(4), nullptr);
}

TEST(KnownStates, TakesTheFinalBodyInsteadOfCopyingIt) {
    KnownStates known(4);
    engine::Outcome put = acknowledged_put("\"v2\"");
    known.after_op(3, put);
    EXPECT_FALSE(put.final_body.has_value());
    ASSERT_NE(known.find(3), nullptr);
    EXPECT_EQ(known.find(3)->body, (nlohmann::json{{"items", {"w0-0"}}}));
}

TEST(KnownStates, ForgetsAResourceWhenTheNextOutcomeLeavesItUnknown) {
    KnownStates known(4);
    engine::Outcome patch = acknowledged_put("\"v3\"");
    patch.method = engine::WriteMethod::patch;  // its body is a patch, not the state
    engine::Outcome failed = acknowledged_put("\"v3\"");
    failed.kind = engine::OutcomeKind::failed;
    engine::Outcome discarded = acknowledged_put("\"v3\"");
    discarded.kind = engine::OutcomeKind::discarded;
    engine::Outcome no_token = acknowledged_put("");
    no_token.token_after.reset();
    for (engine::Outcome* o : {&patch, &failed, &discarded, &no_token}) {
        remember(known, 1, acknowledged_put("\"v2\""));
        ASSERT_NE(known.find(1), nullptr);
        known.after_op(1, *o);
        EXPECT_EQ(known.find(1), nullptr);
    }
}

TEST(KnownStates, KeepsOnlyTheMostRecentlyWrittenResources) {
    KnownStates known(2);
    remember(known, 1, acknowledged_put("\"a\""));
    remember(known, 2, acknowledged_put("\"b\""));
    remember(known, 1, acknowledged_put("\"c\""));  // 1 is now the most recent
    remember(known, 3, acknowledged_put("\"d\""));  // evicts 2
    EXPECT_EQ(known.find(2), nullptr);
    ASSERT_NE(known.find(1), nullptr);
    EXPECT_EQ(known.find(1)->token, "\"c\"");
    EXPECT_NE(known.find(3), nullptr);
}

TEST(KnownStates, ReadAlwaysRemembersNothing) {
    WorkloadSpec spec;
    EXPECT_EQ(KnownStates::capacity_for(spec), 0u);
    KnownStates known(KnownStates::capacity_for(spec));
    remember(known, 1, acknowledged_put("\"a\""));
    EXPECT_EQ(known.find(1), nullptr);
    spec.read_before_write = ReadBeforeWrite::unless_known;
    EXPECT_GT(KnownStates::capacity_for(spec), 0u);
}

TEST(StartOpFromKnown, BuildsOnTheKnownStateAndToken) {
    const Scenario s = scenario_with(1, 1);
    const WorkloadModel model(s);
    const auto plans = plan_writers(s, 1);
    WriterState state(plans[0], model);
    const OpPlan op = state.next_op();
    const KnownState known{0, nlohmann::json{{"items", {"w0-0"}}}, "\"v7\""};
    OpRecord record;
    StartedOp started = start_op_from_known(model, plans[0], op, known, 1000, record);
    ASSERT_FALSE(started.failed.has_value());
    ASSERT_NE(started.resolution, nullptr);
    EXPECT_EQ(record.intent.element, op.op_id);
    const engine::Action first = started.resolution->start(engine::Timestamp{0});
    const auto* send = std::get_if<engine::SendRequest>(&first);
    ASSERT_NE(send, nullptr);
    EXPECT_EQ(send->headers.get("If-Match").value_or(""), "\"v7\"");
    const auto body = nlohmann::json::parse(send->body);
    EXPECT_EQ(body["items"], (nlohmann::json{"w0-0", op.op_id}));
}

TEST(EffectivePolicy, SetAddMergeGetsItemsAsASet) {
    engine::Policy p;
    p.strategy = engine::Strategy::merge;
    EXPECT_EQ(effective_policy(WorkloadKind::set_add, p).set_merge_pointers,
              std::vector<std::string>{"/items"});
    p.strategy = engine::Strategy::overwrite;
    EXPECT_TRUE(effective_policy(WorkloadKind::set_add, p).set_merge_pointers.empty());
    EXPECT_EQ(effective_policy(WorkloadKind::register_lww, p).timestamp_pointer, "/updated_at");
    p.timestamp_pointer = "/when";
    EXPECT_EQ(effective_policy(WorkloadKind::register_lww, p).timestamp_pointer, "/when");
}

TEST(GenerateOp, SetAddAppendsItsElementOnTheStateItRead) {
    const Scenario s = scenario_with(1, 3);
    const WorkloadModel model(s);
    const auto w = plan_writers(s, 1);
    WriterState state(w[0], model);
    const OpPlan op = state.next_op();
    const nlohmann::json current = {{"items", {"w9-0"}}};
    const auto g = generate_op(model, w[0], op, current, std::string("\"v3\""), 1000);
    EXPECT_EQ(g.update.resource_id, "r-" + std::to_string(op.resource));
    EXPECT_EQ(g.update.payload, (nlohmann::json{{"items", {"w9-0", "w0-0"}}}));
    EXPECT_EQ(g.update.base_token, std::optional<std::string>("\"v3\""));
    EXPECT_EQ(g.update.base_body, std::optional<nlohmann::json>(current));
    EXPECT_EQ(g.update.op_id, "w0-0");
    EXPECT_EQ(g.update.writer_id, "w0");
    EXPECT_EQ(g.intent.element, "w0-0");
}

TEST(GenerateOp, BlindSendsNoPrecondition) {
    const Scenario s = scenario_with(1, 1, WorkloadKind::blind);
    const WorkloadModel model(s);
    const auto w = plan_writers(s, 1);
    WriterState state(w[0], model);
    const auto g = generate_op(model, w[0], state.next_op(),
                               nlohmann::json{{"items", nlohmann::json::array()}},
                               std::string("\"v1\""), 1000);
    EXPECT_FALSE(g.update.base_token.has_value());
    EXPECT_FALSE(g.update.base_body.has_value());
    EXPECT_EQ(g.update.payload["items"], nlohmann::json({"w0-0"}));
}

TEST(GenerateOp, RegisterWritesEveryFieldWithTheBusinessTimestamp) {
    Scenario s = scenario_with(1, 1, WorkloadKind::register_lww);
    s.workload.fields = 2;
    const WorkloadModel model(s);
    const auto w = plan_writers(s, 1);
    WriterState state(w[0], model);
    const auto g = generate_op(model, w[0], state.next_op(), std::nullopt, std::nullopt, 12345);
    const nlohmann::json cell = {{"value", "w0-0"}, {"ts", 12345}};
    EXPECT_EQ(g.update.payload,
              (nlohmann::json{{"updated_at", 12345}, {"fields", {{"f0", cell}, {"f1", cell}}}}));
    EXPECT_EQ(g.intent.timestamp_ms, std::optional<std::int64_t>(12345));
    EXPECT_EQ(g.intent.fields.at("/fields/f0"), "w0-0");
    EXPECT_EQ(g.intent.fields.at("/fields/f1"), "w0-0");
    EXPECT_FALSE(g.update.base_token.has_value());
}

TEST(GenerateOp, DisjointFieldsWritesOnlyTheWritersField) {
    Scenario s = scenario_with(1, 1, WorkloadKind::disjoint_fields);
    s.workload.patch_fraction = 1.0;
    const WorkloadModel model(s);
    const auto w = plan_writers(s, 1);
    WriterState state(w[0], model);
    const auto g =
        generate_op(model, w[0], state.next_op(), nlohmann::json{{"fields", {{"w7", "w7-3"}}}},
                    std::string("\"a\""), 0);
    EXPECT_EQ(g.update.method, engine::WriteMethod::patch);
    EXPECT_EQ(g.update.payload, (nlohmann::json{{"fields", {{"w0", "w0-0"}}}}));
    EXPECT_EQ(g.intent.fields.at("/fields/w0"), "w0-0");
}

TEST(GenerateOp, OverlappingFieldsPicksOneOfTheSharedFields) {
    Scenario s = scenario_with(1, 1, WorkloadKind::overlapping_fields);
    s.workload.fields = 3;
    const WorkloadModel model(s);
    EXPECT_EQ(model.initial_body()["fields"].size(), 3u);
    const auto w = plan_writers(s, 1);
    WriterState state(w[0], model);
    const OpPlan op = state.next_op();
    const auto g = generate_op(model, w[0], op, model.initial_body(), std::string("\"a\""), 77);
    const std::string field = "f" + std::to_string(op.field);
    EXPECT_LT(op.field, 3);
    EXPECT_EQ(g.update.payload["fields"][field], (nlohmann::json{{"value", "w0-0"}, {"ts", 77}}));
    EXPECT_EQ(g.update.payload["updated_at"], 77);
    EXPECT_EQ(g.intent.fields.at("/fields/" + field), "w0-0");
}

// The first write of an op that read the resource as gone.
engine::SendRequest first_write_after(WorkloadKind kind, int status) {
    const Scenario s = scenario_with(1, 1, kind);
    const WorkloadModel model(s);
    const auto w = plan_writers(s, 1);
    WriterState state(w[0], model);
    engine::Response read;
    read.status = status;
    OpRecord record;
    StartedOp started = start_op(model, w[0], state.next_op(), read, 0, record);
    EXPECT_TRUE(started.resolution);
    engine::Action action = started.resolution->start();
    EXPECT_TRUE(std::holds_alternative<engine::SendRequest>(action));
    return std::get<engine::SendRequest>(std::move(action));
}

// Two writers that both read 404 must not overwrite each other's creation:
// the creation is conditional, the second one meets 412 and merges.
TEST(StartOp, GoneResourceIsRecreatedWithIfNoneMatchStar) {
    for (const int status : {404, 410}) {
        const auto put = first_write_after(WorkloadKind::set_add, status);
        EXPECT_EQ(put.method, "PUT");
        EXPECT_EQ(put.headers.get("If-None-Match"), std::optional<std::string_view>("*"));
        EXPECT_FALSE(put.headers.contains("If-Match"));
    }
}

TEST(StartOp, BlindWritersRecreateUnconditionally) {
    const auto put = first_write_after(WorkloadKind::blind, 404);
    EXPECT_FALSE(put.headers.contains("If-None-Match"));
    EXPECT_FALSE(put.headers.contains("If-Match"));
}

}  // namespace
}  // namespace conflictlab::harness

namespace conflictlab::harness {
namespace {

engine::Response answer(int status) {
    engine::Response r;
    r.status = status;
    return r;
}

TEST(ReadRetry, OnlyATokenOrAGoneResourceCanBeBuiltOn) {
    for (const int status : {200, 204, 404, 410}) {
        const engine::Response r = answer(status);
        EXPECT_TRUE(read_is_usable(&r)) << status;
    }
    for (const int status : {304, 400, 429, 500, 502, 503, 504}) {
        const engine::Response r = answer(status);
        EXPECT_FALSE(read_is_usable(&r)) << status;  // no token: never write blind
    }
    EXPECT_FALSE(read_is_usable(nullptr));  // transport error
}

TEST(ReadRetry, BacksOffWithinThePolicyAndGivesUpAfterItsAttempts) {
    engine::Policy p;
    p.max_attempts = 4;
    p.backoff.kind = engine::BackoffKind::exponential;
    p.backoff.base_ms = 10;
    p.backoff.cap_ms = 1000;
    EXPECT_EQ(read_retry_delay(p, 1, 7), std::chrono::milliseconds(10));
    EXPECT_EQ(read_retry_delay(p, 2, 7), std::chrono::milliseconds(20));
    EXPECT_EQ(read_retry_delay(p, 3, 7), std::chrono::milliseconds(40));
    EXPECT_EQ(read_retry_delay(p, 4, 7), std::nullopt);
    p.backoff.kind = engine::BackoffKind::full_jitter;
    EXPECT_EQ(read_retry_delay(p, 2, 99), read_retry_delay(p, 2, 99));  // deterministic
}

TEST(ReadRetry, GivingUpIsAFailedOpThatWroteNothing) {
    OpRecord rec;
    rec.op_id = "w1-3";
    rec.resource_id = "r-0";
    rec.writer_id = "w1";
    const engine::Response r = answer(503);
    const engine::Outcome o = unreadable_outcome(rec, 4, describe_read_failure(&r, nullptr));
    EXPECT_EQ(o.kind, engine::OutcomeKind::failed);
    EXPECT_EQ(o.reason, engine::FailureReason::exhausted_transient);
    EXPECT_EQ(o.attempts, 0);  // no write was sent
    EXPECT_EQ(o.op_id, "w1-3");
    EXPECT_NE(o.detail.find("status 503"), std::string::npos) << o.detail;
    EXPECT_NE(o.detail.find("nothing was written"), std::string::npos) << o.detail;
    EXPECT_EQ(o.path, "read-failed");
}

}  // namespace
}  // namespace conflictlab::harness
