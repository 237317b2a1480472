#include "conflictlab/engine/alert_sender.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>

#include "conflictlab/engine/http_client.hpp"
#include "conflictlab/engine/random.hpp"
#include "conflictlab/engine/token_bucket.hpp"

namespace conflictlab::engine {
namespace {

struct Card {
    std::string body;
    bool summary = false;
};

// The webhook URL split into what HttpClient needs: origin as base URL, the
// exact path (a trailing slash matters to some webhooks) as request path.
std::pair<std::string, std::string> split_webhook(const std::string& url) {
    HttpTarget t = parse_http_target(url, "alerts.webhook_url");  // validates; errors omit the path
    std::size_t scheme_end = url.find("://") + 3;
    std::size_t path_start = url.find('/', scheme_end);
    std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
    return {t.origin(), path};
}

bool retryable_status(int status) {
    return status == 429 || status >= 500;
}

}  // namespace

struct AlertSender::Impl : std::enable_shared_from_this<Impl> {
    AlertSenderOptions options;
    std::function<Timestamp()> now;
    std::string path;
    std::unique_ptr<HttpClient> client;

    mutable std::mutex mutex;
    std::condition_variable idle_cv;
    TokenBucket bucket;
    std::deque<Card> queue;  // front = being delivered when busy
    bool busy = false;
    int attempt = 0;  // posts of the front card so far
    Backoff backoff;
    Xoshiro256 random;
    std::uint64_t suppressed_pending = 0;
    WallTime suppressed_since{};
    bool summary_armed = false;
    bool closing = false;
    AlertSenderStats stats;

    Impl(AlertSenderOptions o, std::function<Timestamp()> clock)
        : options(std::move(o)),
          now(std::move(clock)),
          bucket(options.per_minute, options.burst),
          backoff(options.backoff),
          random(options.seed) {}

    bool idle_locked() const { return queue.empty() && !busy; }

    // Enqueues a card; returns the body to post when delivery should start.
    std::optional<std::string> enqueue_locked(Card card) {
        if (queue.size() >= options.queue_capacity) {
            ++stats.dropped;
            return std::nullopt;
        }
        queue.push_back(std::move(card));
        return start_locked();
    }

    std::optional<std::string> start_locked() {
        if (busy || queue.empty() || closing)
            return std::nullopt;
        busy = true;
        attempt = 0;
        backoff.reset();
        return queue.front().body;
    }

    void post(std::string body) {
        SendRequest r;
        r.method = "POST";
        r.path = path;
        r.headers.add("Content-Type", "application/json");
        r.headers.add("Accept", "application/json");
        r.body = std::move(body);
        r.timeout = options.request_timeout;
        client->send(std::move(r), [weak = weak_from_this()](HttpResult result) {
            if (auto self = weak.lock())
                self->on_result(result);
        });
    }

    void on_result(const HttpResult& result) {
        std::optional<std::string> next;
        {
            std::lock_guard lock(mutex);
            ++attempt;
            const auto* response = std::get_if<Response>(&result);
            int status = response ? response->status : 0;
            stats.last_status = status;
            if (closing) {
                busy = false;
                idle_cv.notify_all();
                return;
            }
            if (status >= 200 && status < 300) {
                ++stats.sent;
                if (queue.front().summary)
                    ++stats.summaries_sent;
            } else if ((status == 0 || retryable_status(status)) &&
                       attempt < options.max_attempts) {
                ++stats.retries;
                std::chrono::milliseconds delay = retry_delay_locked(response);
                client->schedule(delay, [weak = weak_from_this()] {
                    if (auto self = weak.lock())
                        self->retry();
                });
                return;
            } else {
                ++stats.failed;
            }
            queue.pop_front();
            busy = false;
            next = start_locked();
            if (idle_locked())
                idle_cv.notify_all();
        }
        if (next)
            post(std::move(*next));
    }

    std::chrono::milliseconds retry_delay_locked(const Response* response) {
        if (response && (response->status == 429 || response->status == 503)) {
            if (auto value = response->headers.get("Retry-After")) {
                WallTime base = std::chrono::system_clock::now();
                if (auto date = response->headers.get("Date")) {
                    if (auto d = parse_http_date(*date))
                        base = *d;
                } else if (response->received_wall) {
                    base = *response->received_wall;
                }
                if (auto delay = parse_retry_after(*value, base)) {
                    return std::min(*delay, options.retry_after_cap);
                }
            }
        }
        return backoff.next_delay(random);
    }

    void retry() {
        std::string body;
        {
            std::lock_guard lock(mutex);
            if (closing || queue.empty()) {
                busy = false;
                idle_cv.notify_all();
                return;
            }
            body = queue.front().body;
        }
        post(std::move(body));
    }

    void arm_summary_locked() {
        if (summary_armed || closing)
            return;
        summary_armed = true;
        auto wait =
            std::chrono::ceil<std::chrono::milliseconds>(bucket.time_until_available(now()));
        client->schedule(wait + std::chrono::milliseconds(1), [weak = weak_from_this()] {
            if (auto self = weak.lock())
                self->on_summary_timer();
        });
    }

    void on_summary_timer() {
        std::optional<std::string> next;
        {
            std::lock_guard lock(mutex);
            summary_armed = false;
            if (closing || suppressed_pending == 0)
                return;
            if (!bucket.try_take(now())) {
                arm_summary_locked();
                return;
            }
            Card card{
                suppressed_alerts_card(suppressed_pending, suppressed_since, options.card).dump(),
                true};
            suppressed_pending = 0;
            next = enqueue_locked(std::move(card));
        }
        if (next)
            post(std::move(*next));
    }
};

AlertSender::AlertSender(AlertSenderOptions options, std::function<Timestamp()> now) {
    if (options.max_attempts < 1)
        throw std::invalid_argument("alerts.max_attempts: must be >= 1");
    if (options.per_minute <= 0)
        throw std::invalid_argument("alerts.per_minute: must be > 0");
    if (options.burst < 1)
        throw std::invalid_argument("alerts.burst: must be >= 1");
    if (!now) {
        now = [] { return Timestamp(std::chrono::steady_clock::now().time_since_epoch()); };
    }
    auto [origin, path] = split_webhook(options.webhook_url);
    HttpClientOptions http;
    http.base_url = origin;
    http.bearer_token_secret = options.bearer_token_secret;
    http.ca_file = options.ca_file;
    http.insecure_skip_verify = options.insecure_skip_verify;
    http.max_connections = 2;
    http.max_queued_requests = 16;
    http.default_request_timeout = options.request_timeout;
    impl_ = std::make_shared<Impl>(std::move(options), std::move(now));
    impl_->path = std::move(path);
    impl_->client = std::make_unique<HttpClient>(std::move(http), 1);
}

AlertSender::~AlertSender() {
    wait_idle(impl_->options.close_grace);
    {
        std::lock_guard lock(impl_->mutex);
        impl_->closing = true;
    }
    impl_->client.reset();  // stops its thread; callbacks still running see `closing`
}

void AlertSender::record(const Outcome& outcome) {
    if (!outcome.alert)
        return;
    std::optional<std::string> next;
    {
        std::lock_guard lock(impl_->mutex);
        ++impl_->stats.alerts;
        if (impl_->closing)
            return;
        if (impl_->bucket.try_take(impl_->now())) {
            next = impl_->enqueue_locked(
                Card{adaptive_card(outcome, impl_->options.card)
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     false});
        } else {
            ++impl_->stats.suppressed;
            if (impl_->suppressed_pending++ == 0) {
                impl_->suppressed_since = std::chrono::system_clock::now();
            }
            impl_->arm_summary_locked();
        }
    }
    if (next)
        impl_->post(std::move(*next));
}

bool AlertSender::wait_idle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    return impl_->idle_cv.wait_for(lock, timeout, [&] { return impl_->idle_locked(); });
}

void AlertSender::flush() {
    wait_idle(impl_->options.close_grace);
}

AlertSenderStats AlertSender::stats() const {
    std::lock_guard lock(impl_->mutex);
    AlertSenderStats s = impl_->stats;
    s.queued_now = impl_->queue.size();
    return s;
}

}  // namespace conflictlab::engine
