// RedisQueueStore against a real redis-server (Debian package, installed by
// scripts/setup.sh): the Lua scripts are the atomic steps the scale-out
// guarantees rest on, so they are tested where they run. Each test starts
// its own redis-server on a loopback ephemeral port in a temporary directory
// and stops it (SIGTERM, bounded wait, then SIGKILL). The only wait is
// connect_redis_queue's bounded retry while the server starts. No expiry is
// tested here (that would need sleeps): lease expiry is Redis's PX.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "conflictlab/service/redis_queue_store.hpp"

extern char** environ;

namespace conflictlab::service {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::uint16_t free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

class RedisServer {
  public:
    RedisServer() : port_(free_port()) {
        dir_ = std::filesystem::temp_directory_path() /
               ("redis-test-" + std::to_string(getpid()) + "-" + std::to_string(port_));
        std::filesystem::create_directories(dir_);
        std::vector<std::string> args = {"redis-server", "--port",     std::to_string(port_),
                                         "--bind",       "127.0.0.1",  "--dir",
                                         dir_.string(),  "--save",     "",
                                         "--appendonly", "no",         "--daemonize",
                                         "no",           "--loglevel", "warning"};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        // Its start-up warnings (memory overcommit...) are not the test's output.
        posix_spawn_file_actions_t files;
        posix_spawn_file_actions_init(&files);
        posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&files, 2, "/dev/null", O_WRONLY, 0);
        if (posix_spawnp(&pid_, "redis-server", &files, nullptr, argv.data(), environ) != 0)
            pid_ = -1;
        posix_spawn_file_actions_destroy(&files);
    }
    ~RedisServer() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status = 0;
            // Bounded: 5 s, then SIGKILL.
            for (int i = 0; i < 500 && waitpid(pid_, &status, WNOHANG) == 0; ++i)
                std::this_thread::sleep_for(10ms);
            if (waitpid(pid_, &status, WNOHANG) == 0) {
                kill(pid_, SIGKILL);
                waitpid(pid_, &status, 0);
            }
        }
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    bool started() const { return pid_ > 0; }
    std::uint16_t port() const { return port_; }

  private:
    std::uint16_t port_;
    std::filesystem::path dir_;
    pid_t pid_ = -1;
};

struct Fixture {
    RedisServer server;
    std::shared_ptr<QueueStore> store;

    explicit Fixture(std::size_t backlog_max = 1'000) {
        if (!server.started())
            throw std::runtime_error("redis-server could not be started (scripts/setup.sh)");
        RedisQueueOptions o;
        o.port = server.port();
        o.partition_backlog_max = backlog_max;
        store = connect_redis_queue(o, 10s);
        EXPECT_EQ(store->register_partitions(4), 4u);
    }
};

QueueAppend event(std::string eid, std::uint32_t partition = 1) {
    QueueAppend e;
    e.partition = partition;
    e.event_id = eid;
    e.correlation_id = "c-" + eid;
    e.resource_id = "r-1";
    e.document = {{"event_id", eid}, {"resource_id", "r-1"}};
    e.received_at = "2026-11-28T10:00:00Z";
    return e;
}

TEST(RedisQueueStore, LeasesHaveOneHolderAndFencingTokensOnlyGrow) {
    Fixture f;
    auto& s = *f.store;
    const auto t1 = s.acquire(2, "a", 10s);
    EXPECT_GT(t1, 0u);
    EXPECT_EQ(s.acquire(2, "b", 10s), 0u) << "held by a";
    EXPECT_TRUE(s.renew(2, "a", t1, 10s));
    EXPECT_FALSE(s.renew(2, "a", t1 + 1, 10s)) << "a token a never got";
    EXPECT_FALSE(s.renew(2, "b", t1, 10s));
    s.release(2, "b", t1);  // not b's: no effect
    EXPECT_EQ(s.acquire(2, "b", 10s), 0u);
    s.release(2, "a", t1);
    const auto t2 = s.acquire(2, "b", 10s);
    EXPECT_GT(t2, t1);
    EXPECT_FALSE(s.renew(2, "a", t1, 10s)) << "a lost it";
    // Re-acquiring one's own lease also moves the token on.
    const auto t3 = s.acquire(2, "b", 10s);
    EXPECT_GT(t3, t2);
    EXPECT_FALSE(s.renew(2, "b", t2, 10s));
    EXPECT_TRUE(s.renew(2, "b", t3, 10s));
}

TEST(RedisQueueStore, AppendIsIdempotentPerEventId_AndBounded) {
    Fixture f(2);
    auto& s = *f.store;
    auto r = s.append(event("e-1"));
    EXPECT_TRUE(r.inserted);
    EXPECT_EQ(r.correlation_id, "c-e-1");
    auto again = event("e-1");
    again.correlation_id = "c-other";
    r = s.append(again);
    EXPECT_FALSE(r.inserted);
    EXPECT_EQ(r.correlation_id, "c-e-1");
    EXPECT_EQ(r.state, "queued");
    EXPECT_TRUE(s.append(event("e-2")).inserted);
    EXPECT_EQ(s.append(event("e-3")).state, "full") << "backlog bound 2";
    EXPECT_EQ(s.stats(4)[1].lag, 2u);
    const auto st = s.status("c-e-1");
    ASSERT_TRUE(st);
    EXPECT_EQ((*st)["state"], "queued");
    EXPECT_EQ((*st)["event"]["event_id"], "e-1");
    EXPECT_FALSE(s.status("c-unknown"));
}

TEST(RedisQueueStore, ReadAndCommitAreFencedByTheLease_NextOwnerClaimsPending) {
    Fixture f;
    auto& s = *f.store;
    ASSERT_TRUE(s.append(event("e-1")).inserted);
    ASSERT_TRUE(s.append(event("e-2")).inserted);
    const auto ta = s.acquire(1, "a", 10s);
    EXPECT_TRUE(s.read_new({{1, ta + 7}}, "a", 10).empty()) << "a read under a wrong token";
    const auto got = s.read_new({{1, ta}}, "a", 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].event_id, "e-1");
    EXPECT_EQ(got[0].correlation_id, "c-e-1");
    EXPECT_EQ(got[0].document["event_id"], "e-1");
    EXPECT_FALSE(got[0].redelivered);

    // a loses the partition to b; a's commit is refused and records nothing.
    s.release(1, "a", ta);
    const auto tb = s.acquire(1, "b", 10s);
    QueueCommit c;
    c.partition = 1;
    c.token = ta;
    c.entry_id = got[0].entry_id;
    c.correlation_id = "c-e-1";
    c.kind = "success";
    c.outcome = {{"kind", "success"}};
    c.finished_at = "2026-11-28T10:00:01Z";
    EXPECT_EQ(s.commit("a", {c}), std::vector<bool>{false});
    EXPECT_EQ((*s.status("c-e-1"))["state"], "queued");
    EXPECT_TRUE(s.read_new({{1, ta}}, "a", 10).empty()) << "a cannot read any more";
    auto st = s.stats(4)[1];
    EXPECT_EQ(st.lag, 2u);
    EXPECT_EQ(st.pending, 1u);
    EXPECT_EQ(st.owner, "b");

    // b takes over a's pending entry, then reads the rest, then commits.
    const auto claimed = s.claim_pending(1, "b", 100);
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed[0].event_id, "e-1");
    EXPECT_TRUE(claimed[0].redelivered);
    const auto rest = s.read_new({{1, tb}}, "b", 10);
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest[0].event_id, "e-2");
    c.token = tb;
    EXPECT_EQ(s.commit("b", {c}), std::vector<bool>{true});
    st = s.stats(4)[1];
    EXPECT_EQ(st.lag, 1u) << "acknowledged entries leave the stream";
    EXPECT_EQ(st.pending, 1u);
    const auto done = s.status("c-e-1");
    EXPECT_EQ((*done)["state"], "success");
    EXPECT_EQ((*done)["finished_by"], "b");
    EXPECT_EQ((*done)["outcome"]["kind"], "success");
    // A duplicate of a finished event reports its final state.
    EXPECT_EQ(s.append(event("e-1")).state, "success");
}

QueueCommit commit_of(const QueuedEvent& e, std::uint64_t token, const std::string& kind) {
    QueueCommit c;
    c.partition = e.partition;
    c.token = token;
    c.entry_id = e.entry_id;
    c.correlation_id = e.correlation_id;
    c.kind = kind;
    c.outcome = {{"kind", kind}, {"reason", kind == "failed" ? "max-attempts" : "none"}};
    c.finished_at = "2026-11-28T10:00:01Z";
    return c;
}

TEST(RedisQueueStore, FailedEventsAreListedAndRequeuedOnceAsReplayEntries) {
    Fixture f(2);
    auto& s = *f.store;
    ASSERT_TRUE(s.append(event("e-1")).inserted);
    ASSERT_TRUE(s.append(event("e-2")).inserted);
    const auto t = s.acquire(1, "a", 10s);
    const auto got = s.read_new({{1, t}}, "a", 10);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(s.commit("a", {commit_of(got[0], t, "failed"), commit_of(got[1], t, "success")}),
              (std::vector<bool>{true, true}));
    EXPECT_EQ(s.failed(0, 10), std::vector<std::string>{"c-e-1"}) << "only the failed one";
    EXPECT_TRUE(s.failed(1, 10).empty());
    EXPECT_EQ(s.requeue_failed("c-e-2"), RequeueResult::not_failed) << "a success is not requeued";
    EXPECT_EQ(s.requeue_failed("c-unknown"), RequeueResult::not_failed);

    EXPECT_EQ(s.requeue_failed("c-e-1"), RequeueResult::requeued);
    EXPECT_EQ(s.requeue_failed("c-e-1"), RequeueResult::not_failed) << "queued once only";
    EXPECT_TRUE(s.failed(0, 10).empty());
    auto st = *s.status("c-e-1");
    EXPECT_EQ(st["state"], "queued");
    EXPECT_EQ(st["replays"], 1);
    EXPECT_TRUE(st["outcome"].is_null());
    EXPECT_EQ(st["event"]["event_id"], "e-1");
    EXPECT_EQ(s.append(event("e-1")).state, "queued") << "the duplicate check still holds";

    const auto again = s.read_new({{1, t}}, "a", 10);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].event_id, "e-1");
    EXPECT_EQ(again[0].correlation_id, "c-e-1");
    EXPECT_EQ(again[0].document["event_id"], "e-1");
    EXPECT_NE(again[0].entry_id, got[0].entry_id);
    EXPECT_TRUE(again[0].redelivered) << "a replay starts with the verify step";
    EXPECT_EQ(s.commit("a", {commit_of(again[0], t, "success")}), std::vector<bool>{true});
    st = *s.status("c-e-1");
    EXPECT_EQ(st["state"], "success");
    EXPECT_EQ(st["replays"], 1);
    EXPECT_EQ(s.stats(4)[1].lag, 0u);
}

TEST(RedisQueueStore, RequeueRespectsTheBacklogBound) {
    Fixture f(1);
    auto& s = *f.store;
    ASSERT_TRUE(s.append(event("e-1")).inserted);
    const auto t = s.acquire(1, "a", 10s);
    const auto got = s.read_new({{1, t}}, "a", 10);
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(s.commit("a", {commit_of(got[0], t, "failed")}), std::vector<bool>{true});
    ASSERT_TRUE(s.append(event("e-2")).inserted) << "fills the partition (bound 1)";
    EXPECT_EQ(s.requeue_failed("c-e-1"), RequeueResult::full);
    EXPECT_EQ((*s.status("c-e-1"))["state"], "failed") << "nothing changed";
    EXPECT_EQ(s.failed(0, 10), std::vector<std::string>{"c-e-1"});
}

TEST(RedisQueueStore, MembershipAndPartitionCount) {
    Fixture f;
    auto& s = *f.store;
    EXPECT_EQ(s.register_partitions(8), 4u) << "the first count stays";
    EXPECT_EQ(s.heartbeat("b", 10s), (std::vector<std::string>{"b"}));
    EXPECT_EQ(s.heartbeat("a", 10s), (std::vector<std::string>{"a", "b"}));
    s.leave("a");
    EXPECT_EQ(s.heartbeat("b", 10s), (std::vector<std::string>{"b"}));
}

TEST(RedisQueueStore, AnAbsentRedisIsANamedError) {
    RedisQueueOptions o;
    o.port = free_port();  // nothing listens
    try {
        connect_redis_queue(o, 0ms);
        FAIL() << "expected RedisUnavailable";
    } catch (const RedisUnavailable& e) {
        EXPECT_NE(std::string(e.what()).find("redis 127.0.0.1:" + std::to_string(o.port) +
                                             ": not reachable after 0 ms"),
                  std::string::npos)
            << e.what();
    }
}

TEST(RedisQueueStore, ParsesRedisUrls) {
    EXPECT_EQ(parse_redis_url("redis://127.0.0.1:6380").port, 6380);
    EXPECT_EQ(parse_redis_url("redis://localhost").host, "127.0.0.1");
    EXPECT_EQ(parse_redis_url("redis://localhost").port, 6379);
    EXPECT_THROW(parse_redis_url("http://x:1"), std::invalid_argument);
    EXPECT_THROW(parse_redis_url("redis://x:0"), std::invalid_argument);
    EXPECT_THROW(parse_redis_url("redis://x:65536"), std::invalid_argument);
    EXPECT_THROW(parse_redis_url("redis://x:+6379"), std::invalid_argument);  // digits only
    EXPECT_THROW(parse_redis_url("redis://x: 6379"), std::invalid_argument);
    EXPECT_THROW(parse_redis_url("redis://user:pw@x:1"), std::invalid_argument);
    EXPECT_THROW(parse_redis_url("redis://:1"), std::invalid_argument);
}

}  // namespace
}  // namespace conflictlab::service
