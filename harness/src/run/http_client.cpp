#include "http_client.hpp"

#include <pthread.h>
#include <time.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <thread>
#include <variant>
#include <vector>

#include "conflictlab/engine/http_client.hpp"

namespace conflictlab::harness::run_detail {

namespace asio = boost::asio;

namespace {

// Largest response body accepted (set-add documents on hot keys grow).
constexpr std::size_t kResponseBodyLimit = 64ull * 1024 * 1024;
constexpr std::chrono::milliseconds kDefaultTimeout{10000};

struct Loop {
    asio::io_context ioc{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
    std::atomic<clockid_t> cpu_clock{0};
    std::atomic<bool> has_clock{false};
    std::unique_ptr<engine::HttpClient> client;  // on ioc; created by start()
};

ExchangeResult to_exchange_result(engine::HttpResult&& result) {
    ExchangeResult r;
    if (auto* response = std::get_if<engine::Response>(&result)) {
        r.response = std::move(*response);
    } else {
        r.error = std::move(std::get<engine::TransportError>(result));
    }
    return r;
}

}  // namespace

class HttpClient::Impl {
  public:
    Impl(HttpTarget target, int threads, int max_connections)
        : target_(std::move(target)),
          per_loop_limit_(static_cast<std::size_t>(
              (std::max(1, max_connections) + std::max(1, threads) - 1) / std::max(1, threads))) {
        for (int i = 0; i < std::max(1, threads); ++i)
            loops_.push_back(std::make_unique<Loop>());
    }

    ~Impl() { stop(); }

    void start() {
        engine::HttpClientOptions options;
        options.base_url = target_.url;
        options.bearer_token_secret = target_.bearer_token_secret;
        options.ca_file = target_.ca_file;
        options.insecure_skip_verify = target_.insecure_skip_verify;
        options.max_connections = per_loop_limit_;
        options.response_body_bytes_limit = kResponseBodyLimit;
        options.default_request_timeout = kDefaultTimeout;
        // Throws before any thread starts: nothing to undo.
        for (auto& loop : loops_)
            loop->client = std::make_unique<engine::HttpClient>(options, loop->ioc);
        for (auto& loop : loops_) {
            loop->work.emplace(loop->ioc.get_executor());
            Loop* l = loop.get();
            loop->thread = std::thread([l] {
                clockid_t id{};
                if (pthread_getcpuclockid(pthread_self(), &id) == 0) {
                    l->cpu_clock.store(id);
                    l->has_clock.store(true);
                }
                l->ioc.run();
            });
        }
        started_ = true;
    }

    void stop() {
        if (started_) {
            started_ = false;
            for (auto& loop : loops_) {
                loop->work.reset();
                loop->ioc.stop();
            }
            for (auto& loop : loops_) {
                if (loop->thread.joinable())
                    loop->thread.join();
                loop->has_clock.store(false);
            }
        }
        // After the threads: no handler of a client runs while it goes.
        for (auto& loop : loops_)
            loop->client.reset();
    }

    int loops() const noexcept { return static_cast<int>(loops_.size()); }

    Loop& loop(int index) { return *loops_[static_cast<std::size_t>(index) % loops_.size()]; }

    void post(int index, std::function<void()> fn) { asio::post(loop(index).ioc, std::move(fn)); }

    void after(int index, std::chrono::milliseconds delay, std::function<void()> fn) {
        auto timer = std::make_shared<asio::steady_timer>(loop(index).ioc, delay);
        timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
            if (!ec)
                fn();
        });
    }

    void exchange(int index, engine::SendRequest request, ExchangeCallback done) {
        // The loop's io_context runs on the loop's thread only, so the
        // client's callback (on a connection strand of that context) does too.
        loop(index).client->send(std::move(request),
                                 [done = std::move(done)](engine::HttpResult result) {
                                     done(to_exchange_result(std::move(result)));
                                 });
    }

    double cpu_seconds() const {
        double total = 0;
        for (const auto& loop : loops_) {
            if (!loop->has_clock.load())
                continue;
            timespec ts{};
            if (clock_gettime(loop->cpu_clock.load(), &ts) == 0) {
                total += static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
            }
        }
        return total;
    }

    std::uint64_t connections_opened() const noexcept {
        std::uint64_t total = 0;
        for (const auto& loop : loops_) {
            if (loop->client)
                total += loop->client->stats().connections_opened;
        }
        return total;
    }

  private:
    HttpTarget target_;
    std::size_t per_loop_limit_;
    std::vector<std::unique_ptr<Loop>> loops_;
    bool started_ = false;
};

HttpClient::HttpClient(HttpTarget target, int threads, int max_connections)
    : impl_(std::make_unique<Impl>(std::move(target), threads, max_connections)) {}
HttpClient::~HttpClient() = default;
void HttpClient::start() {
    impl_->start();
}
void HttpClient::stop() {
    impl_->stop();
}
int HttpClient::loops() const noexcept {
    return impl_->loops();
}
void HttpClient::post(int loop, std::function<void()> fn) {
    impl_->post(loop, std::move(fn));
}
void HttpClient::after(int loop, std::chrono::milliseconds delay, std::function<void()> fn) {
    impl_->after(loop, delay, std::move(fn));
}
void HttpClient::exchange(int loop, engine::SendRequest request, ExchangeCallback done) {
    impl_->exchange(loop, std::move(request), std::move(done));
}
ExchangeResult HttpClient::exchange_blocking(engine::SendRequest request) {
    auto promise = std::make_shared<std::promise<ExchangeResult>>();
    auto future = promise->get_future();
    impl_->exchange(0, std::move(request),
                    [promise](ExchangeResult r) { promise->set_value(std::move(r)); });
    // Bounded: the request has its own timeout (queue wait, connect, write, read).
    return future.get();
}
double HttpClient::cpu_seconds() const {
    return impl_->cpu_seconds();
}
std::uint64_t HttpClient::connections_opened() const noexcept {
    return impl_->connections_opened();
}

}  // namespace conflictlab::harness::run_detail
