// RedisQueueStore: QueueStore on Redis Streams with hiredis (synchronous
// API, a bounded connection pool). See redis_queue_store.hpp for the keys;
// the Lua scripts below are the atomic steps.
#include "conflictlab/service/redis_queue_store.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "conflictlab/common/port.hpp"

namespace conflictlab::service {

namespace {

using nlohmann::json;

// KEYS: event key, stream, status key. ARGV: correlation id, event id,
// resource id, document, received_at, partition, retention s, backlog max,
// status key prefix.
constexpr const char* kAppend = R"lua(
local known = redis.call('GET', KEYS[1])
if known then
  local st = redis.call('HGET', ARGV[9] .. known, 'state')
  return {0, known, st or 'unknown'}
end
if redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[8]) then return {2, '', 'full'} end
local id = redis.call('XADD', KEYS[2], '*', 'event_id', ARGV[2], 'correlation_id', ARGV[1],
                      'resource_id', ARGV[3], 'document', ARGV[4])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[7])
redis.call('HSET', KEYS[3], 'event_id', ARGV[2], 'resource_id', ARGV[3], 'partition', ARGV[6],
           'state', 'queued', 'received_at', ARGV[5], 'event', ARGV[4], 'entry_id', id)
redis.call('EXPIRE', KEYS[3], ARGV[7])
return {1, ARGV[1], 'queued'}
)lua";

// KEYS: n lease keys, then n streams. ARGV: consumer, group, count, then n
// holders ("instance|token"). Reads only where the holder matches.
constexpr const char* kReadNew = R"lua(
local n = #KEYS / 2
local left = tonumber(ARGV[3])
local out = {}
for i = 1, n do
  if left <= 0 then break end
  if redis.call('GET', KEYS[i]) == ARGV[3 + i] then
    local r = redis.call('XREADGROUP', 'GROUP', ARGV[2], ARGV[1], 'COUNT', left,
                         'STREAMS', KEYS[n + i], '>')
    if r then
      for _, e in ipairs(r[1][2]) do
        out[#out + 1] = {i - 1, e[1], e[2]}
      end
      left = left - #r[1][2]
    end
  end
end
return out
)lua";

// KEYS: lease, stream, status, failed set. ARGV: holder, group, entry id,
// kind, outcome, finished_at, instance, retention s, correlation id. The
// fencing check and the acknowledgement are one step. The failed set (score:
// Redis's ms clock at the failure) lists what `replay --failed` can requeue;
// members older than the retention leave it here, so it stays bounded.
constexpr const char* kCommit = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[3], 'state', ARGV[4], 'outcome', ARGV[5], 'finished_at', ARGV[6],
           'finished_by', ARGV[7])
redis.call('EXPIRE', KEYS[3], ARGV[8])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[4] == 'failed' then
  redis.call('ZADD', KEYS[4], now, ARGV[9])
else
  redis.call('ZREM', KEYS[4], ARGV[9])
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[8]) * 1000)
redis.call('XACK', KEYS[2], ARGV[2], ARGV[3])
redis.call('XDEL', KEYS[2], ARGV[3])
return 1
)lua";

// KEYS: status, failed set, stream. ARGV: correlation id, partition,
// backlog max, retention s. Requeues a still-failed event as a new entry
// marked replay; 1 requeued, 0 not failed, 2 backlog full.
constexpr const char* kRequeue = R"lua(
local st = redis.call('HMGET', KEYS[1], 'state', 'partition', 'event_id', 'resource_id', 'event')
if not st[1] then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 0
end
if st[1] ~= 'failed' or st[2] ~= ARGV[2] then return 0 end
if redis.call('XLEN', KEYS[3]) >= tonumber(ARGV[3]) then return 2 end
local id = redis.call('XADD', KEYS[3], '*', 'event_id', st[3], 'correlation_id', ARGV[1],
                      'resource_id', st[4], 'document', st[5], 'replay', '1')
redis.call('HSET', KEYS[1], 'state', 'queued', 'entry_id', id)
redis.call('HDEL', KEYS[1], 'outcome', 'finished_at', 'finished_by')
redis.call('HINCRBY', KEYS[1], 'replays', 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
)lua";

// KEYS: members. ARGV: instance, ttl ms. Redis's clock decides.
constexpr const char* kHeartbeat = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
)lua";

// KEYS: lease, fence. ARGV: instance, ttl ms. Free or own: a new token.
constexpr const char* kAcquire = R"lua(
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1] + 1) ~= ARGV[1] .. '|' then return 0 end
local tok = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. tok, 'PX', ARGV[2])
return tok
)lua";

// KEYS: lease. ARGV: holder, ttl ms.
constexpr const char* kRenew = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)lua";

// KEYS: lease. ARGV: holder.
constexpr const char* kRelease = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
)lua";

struct ReplyFree {
    void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

struct ContextFree {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextFree>;

timeval to_timeval(std::chrono::milliseconds ms) {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
    return tv;
}

std::string str(const redisReply* r) {
    if (r == nullptr)
        return {};
    if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
        r->type == REDIS_REPLY_ERROR)
        return std::string(r->str, r->len);
    if (r->type == REDIS_REPLY_INTEGER)
        return std::to_string(r->integer);
    return {};
}

long long integer(const redisReply* r) {
    if (r == nullptr)
        return 0;
    if (r->type == REDIS_REPLY_INTEGER)
        return r->integer;
    if (r->type == REDIS_REPLY_STRING)
        return std::stoll(std::string(r->str, r->len));
    return 0;
}

json parse_or_null(const std::string& text) {
    json j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json(nullptr) : j;
}

class RedisQueueStore final : public QueueStore {
  public:
    explicit RedisQueueStore(RedisQueueOptions options)
        : o_(std::move(options)), name_("redis " + o_.host + ":" + std::to_string(o_.port)) {}

    // Connects one context now (PING), so a missing Redis is noticed at once.
    void check() {
        Conn c(*this);
        c.run({"PING"});
    }

    // ---- membership ----
    std::vector<std::string> heartbeat(const std::string& instance,
                                       std::chrono::milliseconds ttl) override {
        Conn c(*this);
        Reply r =
            c.run({"EVAL", kHeartbeat, "1", key("members"), instance, std::to_string(ttl.count())});
        std::vector<std::string> members;
        for (std::size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i)
            members.push_back(str(r->element[i]));
        std::sort(members.begin(), members.end());
        return members;
    }

    void leave(const std::string& instance) override {
        Conn c(*this);
        c.run({"ZREM", key("members"), instance});
    }

    std::uint32_t register_partitions(std::uint32_t partitions) override {
        Conn c(*this);
        c.run({"SET", key("partitions"), std::to_string(partitions), "NX"});
        const auto stored =
            static_cast<std::uint32_t>(integer(c.run({"GET", key("partitions")}).get()));
        if (stored != partitions)
            return stored;
        for (std::uint32_t p = 0; p < partitions; ++p) {
            Reply r = c.run_raw({"XGROUP", "CREATE", stream(p), o_.group, "0", "MKSTREAM"});
            if (r->type == REDIS_REPLY_ERROR && !str(r.get()).starts_with("BUSYGROUP"))
                throw std::runtime_error(name_ + ": XGROUP CREATE: " + str(r.get()));
        }
        return stored;
    }

    // ---- leases ----
    std::uint64_t acquire(std::uint32_t p, const std::string& instance,
                          std::chrono::milliseconds ttl) override {
        Conn c(*this);
        Reply r = c.run({"EVAL", kAcquire, "2", lease(p), key("fence:" + std::to_string(p)),
                         instance, std::to_string(ttl.count())});
        return static_cast<std::uint64_t>(integer(r.get()));
    }

    bool renew(std::uint32_t p, const std::string& instance, std::uint64_t token,
               std::chrono::milliseconds ttl) override {
        Conn c(*this);
        Reply r = c.run(
            {"EVAL", kRenew, "1", lease(p), holder(instance, token), std::to_string(ttl.count())});
        return integer(r.get()) == 1;
    }

    void release(std::uint32_t p, const std::string& instance, std::uint64_t token) override {
        Conn c(*this);
        c.run({"EVAL", kRelease, "1", lease(p), holder(instance, token)});
    }

    // ---- streams ----
    QueueAppendResult append(const QueueAppend& e) override {
        Conn c(*this);
        const std::string doc = e.document.dump(-1, ' ', false, json::error_handler_t::replace);
        Reply r = c.run({"EVAL", kAppend, "3", key("event:" + e.event_id), stream(e.partition),
                         key("status:" + e.correlation_id), e.correlation_id, e.event_id,
                         e.resource_id, doc, e.received_at, std::to_string(e.partition),
                         std::to_string(o_.retention.count()),
                         std::to_string(o_.partition_backlog_max), key("status:")});
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 3)
            throw std::runtime_error(name_ + ": unexpected append reply");
        QueueAppendResult out;
        out.inserted = integer(r->element[0]) == 1;
        out.correlation_id = str(r->element[1]);
        out.state = str(r->element[2]);
        return out;
    }

    std::vector<QueuedEvent> read_new(
        const std::vector<std::pair<std::uint32_t, std::uint64_t>>& partition_tokens,
        const std::string& instance, std::size_t max_entries) override {
        if (partition_tokens.empty() || max_entries == 0)
            return {};
        // Start at a different partition each call, so a busy one cannot
        // starve the others of the per-read budget.
        const std::size_t n = partition_tokens.size();
        const std::size_t first = read_rotation_++ % n;
        std::vector<std::uint32_t> order;
        std::vector<std::string> args = {"EVAL", kReadNew, std::to_string(2 * n)};
        std::vector<std::string> holders;
        for (std::size_t k = 0; k < n; ++k) {
            const auto& [p, token] = partition_tokens[(first + k) % n];
            order.push_back(p);
            args.push_back(lease(p));
            holders.push_back(holder(instance, token));
        }
        for (const auto p : order)
            args.push_back(stream(p));
        args.push_back(instance);
        args.push_back(o_.group);
        args.push_back(std::to_string(max_entries));
        for (auto& h : holders)
            args.push_back(std::move(h));
        Conn c(*this);
        Reply r = c.run(args);
        std::vector<QueuedEvent> out;
        for (std::size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
            const redisReply* e = r->element[i];
            if (e->type != REDIS_REPLY_ARRAY || e->elements != 3)
                continue;
            const auto idx = static_cast<std::size_t>(integer(e->element[0]));
            out.push_back(entry(order.at(idx), str(e->element[1]), e->element[2], false));
        }
        return out;
    }

    std::vector<QueuedEvent> claim_pending(std::uint32_t p, const std::string& instance,
                                           std::size_t max_entries) override {
        std::vector<QueuedEvent> out;
        std::string cursor = "0-0";
        Conn c(*this);
        // Bounded: every round moves the cursor forward through a finite
        // pending list, and the total is capped by max_entries.
        while (out.size() < max_entries) {
            const std::size_t count = std::min<std::size_t>(1'000, max_entries - out.size());
            Reply r = c.run({"XAUTOCLAIM", stream(p), o_.group, instance, "0", cursor, "COUNT",
                             std::to_string(count)});
            if (r->type != REDIS_REPLY_ARRAY || r->elements < 2)
                throw std::runtime_error(name_ + ": unexpected XAUTOCLAIM reply");
            cursor = str(r->element[0]);
            const redisReply* entries = r->element[1];
            for (std::size_t i = 0; i < entries->elements; ++i) {
                const redisReply* e = entries->element[i];
                if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
                    continue;  // deleted meanwhile
                out.push_back(entry(p, str(e->element[0]), e->element[1], true));
            }
            if (cursor == "0-0")
                break;
        }
        return out;
    }

    std::vector<bool> commit(const std::string& instance,
                             const std::vector<QueueCommit>& commits) override {
        if (commits.empty())
            return {};
        Conn c(*this);
        // Pipelined: one round trip for the batch; each script is atomic.
        for (const auto& k : commits) {
            const std::string outcome =
                k.outcome.dump(-1, ' ', false, json::error_handler_t::replace);
            c.append({"EVAL", kCommit, "4", lease(k.partition), stream(k.partition),
                      key("status:" + k.correlation_id), key("failed"), holder(instance, k.token),
                      o_.group, k.entry_id, k.kind, outcome, k.finished_at, instance,
                      std::to_string(o_.retention.count()), k.correlation_id});
        }
        std::vector<bool> ok;
        ok.reserve(commits.size());
        for (std::size_t i = 0; i < commits.size(); ++i)
            ok.push_back(integer(c.reply().get()) == 1);
        return ok;
    }

    // ---- replay ----
    std::vector<std::string> failed(std::size_t offset, std::size_t count) override {
        if (count == 0)
            return {};
        Conn c(*this);
        Reply r = c.run(
            {"ZRANGE", key("failed"), std::to_string(offset), std::to_string(offset + count - 1)});
        std::vector<std::string> out;
        for (std::size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i)
            out.push_back(str(r->element[i]));
        return out;
    }

    RequeueResult requeue_failed(std::string_view correlation_id) override {
        const std::string cid(correlation_id);
        Conn c(*this);
        // The partition names the stream key the script needs; the script
        // checks it again, so a change in between is harmless.
        const std::string partition = str(c.run({"HGET", key("status:" + cid), "partition"}).get());
        std::uint32_t p = 0;
        try {
            p = static_cast<std::uint32_t>(std::stoul(partition));
        } catch (const std::exception&) {
            c.run({"ZREM", key("failed"), cid});
            return RequeueResult::not_failed;
        }
        Reply r = c.run({"EVAL", kRequeue, "3", key("status:" + cid), key("failed"), stream(p), cid,
                         partition, std::to_string(o_.partition_backlog_max),
                         std::to_string(o_.retention.count())});
        switch (integer(r.get())) {
            case 1:
                return RequeueResult::requeued;
            case 2:
                return RequeueResult::full;
            default:
                return RequeueResult::not_failed;
        }
    }

    // ---- views ----
    std::optional<json> status(std::string_view correlation_id) override {
        Conn c(*this);
        Reply r = c.run({"HGETALL", key("status:" + std::string(correlation_id))});
        if (r->type != REDIS_REPLY_ARRAY || r->elements == 0)
            return std::nullopt;
        json fields = json::object();
        for (std::size_t i = 0; i + 1 < r->elements; i += 2)
            fields[str(r->element[i])] = str(r->element[i + 1]);
        auto get = [&](const char* name) {
            return fields.contains(name) ? json(fields[name]) : json(nullptr);
        };
        json s = {
            {"correlation_id", std::string(correlation_id)},
            {"event_id", get("event_id")},
            {"resource_id", get("resource_id")},
            {"partition", fields.contains("partition")
                              ? json(std::stoul(fields["partition"].get<std::string>()))
                              : json(nullptr)},
            {"state", get("state")},
            {"received_at", get("received_at")},
            {"finished_at", get("finished_at")},
            {"finished_by", get("finished_by")},
            {"replays", fields.contains("replays")
                            ? json(std::stoul(fields["replays"].get<std::string>()))
                            : json(0)},
            {"event", fields.contains("event") ? parse_or_null(fields["event"].get<std::string>())
                                               : json(nullptr)},
            {"outcome", fields.contains("outcome")
                            ? parse_or_null(fields["outcome"].get<std::string>())
                            : json(nullptr)}};
        return s;
    }

    std::vector<PartitionStats> stats(std::uint32_t partitions) override {
        Conn c(*this);
        for (std::uint32_t p = 0; p < partitions; ++p) {
            c.append({"XLEN", stream(p)});
            c.append({"XPENDING", stream(p), o_.group});
            c.append({"GET", lease(p)});
        }
        std::vector<PartitionStats> out;
        for (std::uint32_t p = 0; p < partitions; ++p) {
            PartitionStats s;
            s.partition = p;
            s.lag = static_cast<std::uint64_t>(integer(c.reply().get()));
            Reply pending = c.reply_raw();
            if (pending->type == REDIS_REPLY_ARRAY && pending->elements > 0)
                s.pending = static_cast<std::uint64_t>(integer(pending->element[0]));
            const std::string owner = str(c.reply().get());
            s.owner = owner.substr(0, owner.rfind('|'));
            out.push_back(std::move(s));
        }
        return out;
    }

  private:
    // A pooled connection for one call; a connection that failed is dropped.
    class Conn {
      public:
        explicit Conn(RedisQueueStore& store) : store_(store), ctx_(store.take()) {}
        ~Conn() { store_.give_back(std::move(ctx_), broken_); }
        Conn(const Conn&) = delete;
        Conn& operator=(const Conn&) = delete;

        // Sends and reads one command; Redis errors throw.
        Reply run(const std::vector<std::string>& args) {
            append(args);
            return reply();
        }
        // The same, a Redis error reply is returned rather than thrown.
        Reply run_raw(const std::vector<std::string>& args) {
            append(args);
            return reply_raw();
        }
        void append(const std::vector<std::string>& args) {
            std::vector<const char*> argv;
            std::vector<std::size_t> lens;
            for (const auto& a : args) {
                argv.push_back(a.data());
                lens.push_back(a.size());
            }
            if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(args.size()), argv.data(),
                                       lens.data()) != REDIS_OK) {
                fail();
            }
        }
        Reply reply() {
            Reply r = reply_raw();
            if (r->type == REDIS_REPLY_ERROR)
                throw std::runtime_error(store_.name_ + ": " + str(r.get()));
            return r;
        }
        Reply reply_raw() {
            void* raw = nullptr;
            if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || raw == nullptr)
                fail();
            return Reply(static_cast<redisReply*>(raw));
        }

      private:
        [[noreturn]] void fail() {
            broken_ = true;
            throw std::runtime_error(store_.name_ + ": " +
                                     (ctx_->errstr[0] != '\0' ? ctx_->errstr : "I/O error"));
        }
        RedisQueueStore& store_;
        Context ctx_;
        bool broken_ = false;
    };

    Context take() {
        {
            std::unique_lock lock(pool_mutex_);
            pool_cv_.wait(lock, [&] { return !idle_.empty() || open_ < o_.connections_max; });
            if (!idle_.empty()) {
                Context c = std::move(idle_.back());
                idle_.pop_back();
                return c;
            }
            ++open_;
        }
        try {
            return connect();
        } catch (...) {
            std::lock_guard lock(pool_mutex_);
            --open_;
            pool_cv_.notify_one();
            throw;
        }
    }

    void give_back(Context c, bool broken) {
        std::lock_guard lock(pool_mutex_);
        if (broken || !c)
            --open_;
        else
            idle_.push_back(std::move(c));
        pool_cv_.notify_one();
    }

    Context connect() {
        const timeval tv = to_timeval(o_.connect_timeout);
        Context c(redisConnectWithTimeout(o_.host.c_str(), o_.port, tv));
        if (!c)
            throw std::runtime_error(name_ + ": cannot allocate a connection");
        if (c->err != 0)
            throw std::runtime_error(name_ + ": " + c->errstr);
        if (redisSetTimeout(c.get(), to_timeval(o_.command_timeout)) != REDIS_OK)
            throw std::runtime_error(name_ + ": cannot set the command timeout");
        return c;
    }

    QueuedEvent entry(std::uint32_t p, std::string id, const redisReply* fields,
                      bool redelivered) const {
        QueuedEvent e;
        e.partition = p;
        e.entry_id = std::move(id);
        e.redelivered = redelivered;
        for (std::size_t i = 0; fields && i + 1 < fields->elements; i += 2) {
            const std::string k = str(fields->element[i]);
            std::string v = str(fields->element[i + 1]);
            if (k == "event_id")
                e.event_id = std::move(v);
            else if (k == "correlation_id")
                e.correlation_id = std::move(v);
            else if (k == "resource_id")
                e.resource_id = std::move(v);
            else if (k == "document")
                e.document = parse_or_null(v);
            else if (k == "replay")
                e.redelivered = v == "1";
        }
        return e;
    }

    std::string key(const std::string& suffix) const { return o_.key_prefix + ":" + suffix; }
    std::string lease(std::uint32_t p) const { return key("lease:" + std::to_string(p)); }
    std::string stream(std::uint32_t p) const { return key("stream:" + std::to_string(p)); }
    static std::string holder(const std::string& instance, std::uint64_t token) {
        return instance + "|" + std::to_string(token);
    }

    RedisQueueOptions o_;
    std::string name_;
    std::mutex pool_mutex_;
    std::condition_variable pool_cv_;
    std::vector<Context> idle_;
    std::size_t open_ = 0;
    std::atomic<std::size_t> read_rotation_{0};
};

}  // namespace

RedisQueueOptions parse_redis_url(const std::string& url) {
    constexpr std::string_view kScheme = "redis://";
    if (!url.starts_with(kScheme))
        throw std::invalid_argument("expected redis://HOST:PORT, got \"" + url + "\"");
    std::string rest = url.substr(kScheme.size());
    if (!rest.empty() && rest.back() == '/')
        rest.pop_back();
    if (rest.find('/') != std::string::npos || rest.find('@') != std::string::npos)
        throw std::invalid_argument("expected redis://HOST:PORT (no path, no credentials), got \"" +
                                    url + "\"");
    RedisQueueOptions o;
    const auto colon = rest.rfind(':');
    std::string host = colon == std::string::npos ? rest : rest.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty())
        throw std::invalid_argument("missing host in \"" + url + "\"");
    o.host = host == "localhost" ? "127.0.0.1" : host;
    if (colon != std::string::npos) {
        const std::string port_text = rest.substr(colon + 1);
        const std::optional<int> port = parse_port(port_text);
        if (!port || *port == 0)
            throw std::invalid_argument("port must be 1..65535, got \"" + port_text + "\"");
        o.port = static_cast<std::uint16_t>(*port);
    }
    return o;
}

std::shared_ptr<QueueStore> connect_redis_queue(const RedisQueueOptions& options,
                                                std::chrono::milliseconds wait_max) {
    auto store = std::make_shared<RedisQueueStore>(options);
    const auto deadline = std::chrono::steady_clock::now() + wait_max;
    std::string last_error;
    // Bounded: one attempt per 200 ms until the deadline.
    for (;;) {
        try {
            store->check();
            return store;
        } catch (const std::runtime_error& e) {
            last_error = e.what();
        }
        if (std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    throw RedisUnavailable("redis " + options.host + ":" + std::to_string(options.port) +
                           ": not reachable after " + std::to_string(wait_max.count()) + " ms (" +
                           last_error + ")");
}

}  // namespace conflictlab::service
