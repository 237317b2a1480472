#include "http_client.hpp"

#include <pthread.h>
#include <time.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace conflictlab::harness::run_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Largest response body accepted (set-add documents on hot keys grow).
constexpr std::uint64_t kResponseBodyLimit = 64ull * 1024 * 1024;
constexpr std::chrono::milliseconds kDefaultTimeout{10000};

engine::TransportError transport_error(engine::TransportErrorKind kind, bool reached,
                                       const beast::error_code& ec) {
    engine::TransportError e;
    e.kind = kind;
    e.may_have_reached_server = reached;
    e.detail = ec.message();
    return e;
}

}  // namespace

HttpTarget parse_http_url(const std::string& url) {
    constexpr std::string_view kHttp = "http://";
    if (url.rfind("https://", 0) == 0) {
        throw std::invalid_argument(
            "target.url: https targets are not supported by the runner's transport yet");
    }
    if (url.rfind(kHttp, 0) != 0) {
        throw std::invalid_argument("target.url: must start with http:// (got \"" + url + "\")");
    }
    std::string rest = url.substr(kHttp.size());
    HttpTarget t;
    const auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    if (slash != std::string::npos)
        t.base_path = rest.substr(slash);
    while (!t.base_path.empty() && t.base_path.back() == '/')
        t.base_path.pop_back();
    const auto colon = authority.rfind(':');
    t.port = 80;
    if (colon != std::string::npos) {
        const std::string port = authority.substr(colon + 1);
        int value = 0;
        try {
            std::size_t used = 0;
            value = std::stoi(port, &used);
            if (used != port.size())
                value = 0;
        } catch (const std::exception&) {
            value = 0;
        }
        if (value < 1 || value > 65535) {
            throw std::invalid_argument("target.url: bad port \"" + port + "\"");
        }
        t.port = static_cast<std::uint16_t>(value);
        authority = authority.substr(0, colon);
    }
    if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']') {
        authority = authority.substr(1, authority.size() - 2);
    }
    if (authority.empty())
        throw std::invalid_argument("target.url: missing host");
    t.host = authority;
    return t;
}

namespace {

struct Loop;

// One keep-alive connection, used by one exchange at a time.
struct Connection {
    explicit Connection(asio::io_context& ioc) : stream(ioc) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    std::optional<http::response_parser<http::string_body>> parser;
    bool connected = false;
};

struct Pending {
    engine::SendRequest request;
    ExchangeCallback done;
};

struct Loop {
    asio::io_context ioc{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
    std::atomic<clockid_t> cpu_clock{0};
    std::atomic<bool> has_clock{false};
    // Loop-thread only:
    std::vector<std::unique_ptr<Connection>> idle;
    std::deque<Pending> waiting;
    std::size_t open = 0;
};

}  // namespace

class HttpClient::Impl {
  public:
    Impl(HttpTarget target, int threads, int max_connections)
        : target_(std::move(target)),
          per_loop_limit_(static_cast<std::size_t>(
              (std::max(1, max_connections) + std::max(1, threads) - 1) / std::max(1, threads))) {
        for (int i = 0; i < std::max(1, threads); ++i)
            loops_.push_back(std::make_unique<Loop>());
        host_header_ = target_.host + ":" + std::to_string(target_.port);
    }

    ~Impl() { stop(); }

    void start() {
        asio::io_context resolver_ioc;
        tcp::resolver resolver(resolver_ioc);
        beast::error_code ec;
        auto results = resolver.resolve(target_.host, std::to_string(target_.port), ec);
        if (ec || results.empty()) {
            throw std::runtime_error("cannot resolve " + target_.host + ": " + ec.message());
        }
        endpoint_ = results.begin()->endpoint();
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
        if (!started_)
            return;
        started_ = false;
        for (auto& loop : loops_) {
            // Cumulative CPU time must survive the thread: read it before joining.
            loop->work.reset();
            loop->ioc.stop();
        }
        for (auto& loop : loops_) {
            if (loop->thread.joinable())
                loop->thread.join();
            loop->has_clock.store(false);
        }
        for (auto& loop : loops_) {
            loop->idle.clear();
            loop->waiting.clear();
        }
    }

    int loops() const noexcept { return static_cast<int>(loops_.size()); }

    Loop& loop(int index) { return *loops_[static_cast<std::size_t>(index) % loops_.size()]; }

    void post(int index, std::function<void()> fn) { asio::post(loop(index).ioc, std::move(fn)); }

    void after(int index, std::chrono::milliseconds delay, std::function<void()> fn) {
        auto timer = std::make_shared<asio::steady_timer>(loop(index).ioc, delay);
        timer->async_wait([timer, fn = std::move(fn)](const beast::error_code& ec) {
            if (!ec)
                fn();
        });
    }

    void exchange(int index, const engine::SendRequest& request, ExchangeCallback done) {
        Loop& l = loop(index);
        asio::post(l.ioc, [this, &l, request, done = std::move(done)]() mutable {
            dispatch(l, Pending{std::move(request), std::move(done)});
        });
    }

    double cpu_seconds() const {
        double total = 0;
        for (const auto& loop : loops_) {
            if (!loop->has_clock.load()) {
                total += stopped_cpu_s_;
                continue;
            }
            timespec ts{};
            if (clock_gettime(loop->cpu_clock.load(), &ts) == 0) {
                total += static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
            }
        }
        return total;
    }

    std::uint64_t connections_opened() const noexcept { return opened_.load(); }

  private:
    // Loop thread: run now on an idle or new connection, or queue.
    void dispatch(Loop& l, Pending p) {
        if (!l.idle.empty()) {
            auto conn = std::move(l.idle.back());
            l.idle.pop_back();
            run(l, std::move(conn), std::move(p));
            return;
        }
        if (l.open < per_loop_limit_) {
            ++l.open;
            ++opened_;
            run(l, std::make_unique<Connection>(l.ioc), std::move(p));
            return;
        }
        l.waiting.push_back(std::move(p));
    }

    // Loop thread: the connection is free again (or gone).
    void release(Loop& l, std::unique_ptr<Connection> conn, bool reusable) {
        if (reusable && conn) {
            l.idle.push_back(std::move(conn));
        } else {
            if (conn) {
                beast::error_code ignored;
                conn->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
                conn->stream.close();
            }
            --l.open;
        }
        if (!l.waiting.empty()) {
            Pending next = std::move(l.waiting.front());
            l.waiting.pop_front();
            dispatch(l, std::move(next));
        }
    }

    std::chrono::milliseconds timeout_of(const engine::SendRequest& r) const {
        return r.timeout.count() > 0 ? r.timeout : kDefaultTimeout;
    }

    void run(Loop& l, std::unique_ptr<Connection> conn, Pending p) {
        Connection* c = conn.get();
        c->request = {};
        c->request.version(11);
        c->request.method_string(p.request.method);
        c->request.target(target_.base_path + p.request.path);
        c->request.set(http::field::host, host_header_);
        for (const auto& [name, value] : p.request.headers.fields()) {
            c->request.insert(name, value);
        }
        if (!target_.bearer_token.empty() && !p.request.headers.contains("Authorization")) {
            c->request.set(http::field::authorization, "Bearer " + target_.bearer_token);
        }
        if (!p.request.body.empty() || p.request.method == "PUT" || p.request.method == "PATCH" ||
            p.request.method == "POST") {
            c->request.body() = p.request.body;
            c->request.prepare_payload();
        }
        c->request.keep_alive(true);
        const auto timeout = timeout_of(p.request);
        auto state = std::make_shared<std::pair<std::unique_ptr<Connection>, Pending>>(
            std::move(conn), std::move(p));
        if (!c->connected) {
            c->stream.expires_after(timeout);
            c->stream.async_connect(
                endpoint_, [this, &l, state, timeout](const beast::error_code& ec) {
                    if (ec) {
                        const auto kind = ec == beast::error::timeout
                                              ? engine::TransportErrorKind::timeout
                                              : engine::TransportErrorKind::connect;
                        fail(l, state, transport_error(kind, false, ec));
                        return;
                    }
                    state->first->connected = true;
                    state->first->stream.socket().set_option(tcp::no_delay(true));
                    write(l, state, timeout);
                });
            return;
        }
        write(l, state, timeout);
    }

    using State = std::shared_ptr<std::pair<std::unique_ptr<Connection>, Pending>>;

    void fail(Loop& l, const State& state, engine::TransportError error) {
        ExchangeCallback done = std::move(state->second.done);
        release(l, std::move(state->first), false);
        ExchangeResult r;
        r.error = std::move(error);
        done(std::move(r));
    }

    void write(Loop& l, const State& state, std::chrono::milliseconds timeout) {
        Connection* c = state->first.get();
        c->stream.expires_after(timeout);
        http::async_write(c->stream, c->request,
                          [this, &l, state, timeout](const beast::error_code& ec, std::size_t) {
                              if (ec) {
                                  const auto kind = ec == beast::error::timeout
                                                        ? engine::TransportErrorKind::timeout
                                                        : engine::TransportErrorKind::reset;
                                  fail(l, state, transport_error(kind, true, ec));
                                  return;
                              }
                              read(l, state, timeout);
                          });
    }

    void read(Loop& l, const State& state, std::chrono::milliseconds timeout) {
        Connection* c = state->first.get();
        c->parser.emplace();
        c->parser->body_limit(kResponseBodyLimit);
        c->stream.expires_after(timeout);
        http::async_read(
            c->stream, c->buffer, *c->parser,
            [this, &l, state](const beast::error_code& ec, std::size_t) {
                Connection* conn = state->first.get();
                if (ec) {
                    engine::TransportErrorKind kind = engine::TransportErrorKind::reset;
                    if (ec == beast::error::timeout) {
                        kind = engine::TransportErrorKind::timeout;
                    } else if (ec.category() ==
                                   http::make_error_code(http::error::bad_version).category() &&
                               ec != http::error::end_of_stream &&
                               ec != http::error::partial_message) {
                        kind = engine::TransportErrorKind::protocol;
                    }
                    fail(l, state, transport_error(kind, true, ec));
                    return;
                }
                auto message = conn->parser->release();
                ExchangeResult r;
                engine::Response& resp = r.response.emplace();
                resp.status = static_cast<int>(message.result_int());
                for (const auto& field : message) {
                    resp.headers.add(std::string(field.name_string()), std::string(field.value()));
                }
                resp.body = std::move(message.body());
                resp.received_wall = std::chrono::system_clock::now();
                const bool reusable = message.keep_alive();
                conn->stream.expires_never();
                ExchangeCallback done = std::move(state->second.done);
                release(l, std::move(state->first), reusable);
                done(std::move(r));
            });
    }

    HttpTarget target_;
    std::size_t per_loop_limit_;
    std::string host_header_;
    tcp::endpoint endpoint_;
    std::vector<std::unique_ptr<Loop>> loops_;
    std::atomic<std::uint64_t> opened_{0};
    double stopped_cpu_s_ = 0;
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
void HttpClient::exchange(int loop, const engine::SendRequest& request, ExchangeCallback done) {
    impl_->exchange(loop, request, std::move(done));
}
ExchangeResult HttpClient::exchange_blocking(const engine::SendRequest& request) {
    auto promise = std::make_shared<std::promise<ExchangeResult>>();
    auto future = promise->get_future();
    impl_->exchange(0, request, [promise](ExchangeResult r) { promise->set_value(std::move(r)); });
    // Bounded: the request has its own timeout (connect, write and read).
    return future.get();
}
double HttpClient::cpu_seconds() const {
    return impl_->cpu_seconds();
}
std::uint64_t HttpClient::connections_opened() const noexcept {
    return impl_->connections_opened();
}

}  // namespace conflictlab::harness::run_detail
