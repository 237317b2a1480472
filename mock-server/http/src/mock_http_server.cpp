// MockHttpServer: threads, acceptor, signals and the two-phase stop. One
// io_context per I/O thread (concurrency hint 1); accepted connections are
// dealt round-robin to them, and each session stays on its io_context for
// life, which serialises its handlers without a strand (see session.hpp).
#include "conflictlab/mock/http/mock_http_server.hpp"

#include <pthread.h>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core_exchange_handler.hpp"
#include "shared_state.hpp"
#include "tls_context.hpp"

namespace conflictlab::mock::http {

namespace detail {
void start_plain_session(SharedState& shared, boost::asio::ip::tcp::socket&& socket);
void start_tls_session(SharedState& shared, boost::asio::ip::tcp::socket&& socket,
                       boost::asio::ssl::context& tls);
}  // namespace detail

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// After the force phase, how long to wait for sessions to let go before the
// io_contexts are stopped outright (a last resort; never reached in practice).
constexpr std::chrono::milliseconds kForceWait{2000};
// Back-off before accepting again after an accept error such as EMFILE.
constexpr std::chrono::milliseconds kAcceptRetry{50};
constexpr int kThreadsMax = 256;

void validate(const ListenerOptions& o) {
    auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
    if (o.threads < 1 || o.threads > kThreadsMax) {
        fail("threads: must be in [1, " + std::to_string(kThreadsMax) + "], got " +
             std::to_string(o.threads));
    }
    if (o.header_limit_bytes < 256 || o.header_limit_bytes > 1024 * 1024) {
        fail("header_limit_bytes: must be in [256, 1048576], got " +
             std::to_string(o.header_limit_bytes));
    }
    if (o.body_limit_bytes < 1)
        fail("body_limit_bytes: must be at least 1");
    if (o.max_connections < 1)
        fail("max_connections: must be at least 1");
    auto positive = [&](std::chrono::milliseconds v, const char* name) {
        if (v.count() <= 0) {
            fail(std::string(name) + ": must be a positive number of milliseconds, got " +
                 std::to_string(v.count()));
        }
    };
    positive(o.read_timeout, "read_timeout");
    positive(o.idle_timeout, "idle_timeout");
    positive(o.write_timeout, "write_timeout");
    positive(o.hang_limit, "hang_limit");
    if (o.shutdown_grace.count() < 0)
        fail("shutdown_grace: must not be negative");
    if (o.tls_cert_file.has_value() != o.tls_key_file.has_value()) {
        fail("tls: a certificate and a key must be given together");
    }
}

}  // namespace

class MockHttpServer::Impl {
  public:
    Impl(ExchangeHandler& handler, ListenerOptions options)
        : options_(std::move(options)), shared_(handler, options_) {}

    ~Impl() { stop(); }

    std::uint16_t start() {
        {
            std::lock_guard lock(mutex_);
            if (started_)
                throw std::logic_error("MockHttpServer::start called twice");
            started_ = true;
        }
        validate(options_);
        if (options_.tls_cert_file) {
            tls_ = detail::make_tls_server_context(*options_.tls_cert_file, *options_.tls_key_file);
        }
        if (options_.access_log_path) {
            access_log_ = std::make_unique<detail::AccessLog>(*options_.access_log_path);
            shared_.access_log = access_log_.get();
        }
        for (int i = 0; i < options_.threads; ++i) {
            iocs_.push_back(std::make_unique<net::io_context>(1));
            guards_.emplace_back(iocs_.back()->get_executor());
        }
        open_acceptor();
        accept_retry_.emplace(*iocs_.front());
        net::post(*iocs_.front(), [this] { do_accept(); });
        for (auto& ioc : iocs_) {
            threads_.emplace_back([io = ioc.get()] { run_io(*io); });
        }
        {
            std::lock_guard lock(mutex_);
            running_ = true;
        }
        return port_.load();
    }

    void run() {
        bool need_start = false;
        {
            std::lock_guard lock(mutex_);
            need_start = !started_;
        }
        if (need_start)
            start();
        {
            std::unique_lock lock(mutex_);
            if (!stopped_ && !stop_requested_) {
                signals_.emplace(*iocs_.front(), SIGINT, SIGTERM);
                signals_->async_wait([this](const boost::system::error_code& ec, int) {
                    if (!ec)
                        request_stop();
                });
                // A CLI may block these before start() so that none is lost
                // in between; the handler is in place now.
                sigset_t stop_signals;
                sigemptyset(&stop_signals);
                sigaddset(&stop_signals, SIGINT);
                sigaddset(&stop_signals, SIGTERM);
                pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
            }
            wake_.wait(lock, [&] { return stop_requested_ || stopped_; });
        }
        stop();
    }

    void stop() {
        {
            std::unique_lock lock(mutex_);
            stop_requested_ = true;
            wake_.notify_all();
            if (!running_ || stopping_) {
                // Not started, or another thread is stopping: wait for it.
                wake_.wait(lock, [&] { return stopped_ || !running_; });
                return;
            }
            stopping_ = true;
        }
        // Phase one: no new connections; idle ones close; answers in flight
        // finish with Connection: close.
        shared_.stopping.store(true);
        net::post(*iocs_.front(), [this] {
            boost::system::error_code ignored;
            acceptor_->close(ignored);
            accept_retry_->cancel();
            if (signals_)
                signals_->cancel(ignored);
        });
        for (auto& session : shared_.registry.snapshot())
            session->begin_shutdown();
        const auto grace_end = std::chrono::steady_clock::now() + options_.shutdown_grace;
        if (!shared_.registry.wait_until_empty(grace_end)) {
            // Phase two: whatever is left is closed by force.
            for (auto& session : shared_.registry.snapshot())
                session->force_close();
            if (!shared_.registry.wait_until_empty(std::chrono::steady_clock::now() + kForceWait)) {
                for (auto& ioc : iocs_)
                    ioc->stop();
            }
        }
        for (auto& guard : guards_)
            guard.reset();
        for (auto& thread : threads_)
            thread.join();
        if (access_log_)
            access_log_->flush();
        std::lock_guard lock(mutex_);
        running_ = false;
        stopped_ = true;
        wake_.notify_all();
    }

    void wait() {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopped_ || !started_; });
    }

    void request_stop() {
        std::lock_guard lock(mutex_);
        stop_requested_ = true;
        wake_.notify_all();
    }

    bool tls() const noexcept { return options_.tls_cert_file.has_value(); }

    FrontEndStats stats() const {
        const auto& c = shared_.counters;
        return FrontEndStats{
            .connections_accepted = c.connections_accepted.load(),
            .connections_rejected = c.connections_rejected.load(),
            .connections_active = c.connections_active.load(),
            .requests = c.requests.load(),
            .bad_requests = c.bad_requests.load(),
            .timeouts = c.timeouts.load(),
            .tls_handshake_failures = c.tls_handshake_failures.load(),
        };
    }

    std::uint16_t port() const noexcept { return port_.load(); }

  private:
    static void run_io(net::io_context& ioc) {
        // A handler that throws is a bug; report it and keep serving rather
        // than lose the thread. Bounded by the work left in the io_context.
        for (;;) {
            try {
                ioc.run();
                return;
            } catch (const std::exception& e) {
                std::cerr << "conflictlab mock: unexpected error on an I/O thread: " << e.what()
                          << "\n";
            }
        }
    }

    void open_acceptor() {
        boost::system::error_code ec;
        const auto address = net::ip::make_address(options_.address, ec);
        if (ec) {
            throw std::runtime_error("invalid listen address \"" + options_.address +
                                     "\": expected an IPv4 or IPv6 address");
        }
        const tcp::endpoint endpoint(address, options_.port);
        const std::string where = options_.address + ":" + std::to_string(options_.port);
        acceptor_.emplace(*iocs_.front());
        acceptor_->open(endpoint.protocol(), ec);
        if (!ec)
            acceptor_->set_option(net::socket_base::reuse_address(true), ec);
        if (!ec)
            acceptor_->bind(endpoint, ec);
        if (!ec)
            acceptor_->listen(net::socket_base::max_listen_connections, ec);
        if (ec)
            throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
        port_.store(acceptor_->local_endpoint().port());
    }

    // Runs on iocs_[0].
    void do_accept() {
        auto& target = *iocs_[next_io_++ % iocs_.size()];
        acceptor_->async_accept(target,
                                [this](const boost::system::error_code& ec, tcp::socket socket) {
                                    on_accept(ec, std::move(socket));
                                });
    }

    void on_accept(const boost::system::error_code& ec, tcp::socket socket) {
        if (!acceptor_->is_open() || ec == net::error::operation_aborted)
            return;
        if (ec) {
            // E.g. out of file descriptors: wait a little instead of spinning.
            accept_retry_->expires_after(kAcceptRetry);
            accept_retry_->async_wait([this](const boost::system::error_code& wait_ec) {
                if (!wait_ec && acceptor_->is_open())
                    do_accept();
            });
            return;
        }
        auto& counters = shared_.counters;
        if (shared_.stopping.load()) {
            // closed by the socket's destructor
        } else if (counters.connections_active.load() >= options_.max_connections) {
            counters.connections_rejected.fetch_add(1);
            boost::system::error_code ignored;
            socket.close(ignored);
        } else {
            counters.connections_accepted.fetch_add(1);
            counters.connections_active.fetch_add(1);
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            if (tls_) {
                detail::start_tls_session(shared_, std::move(socket), *tls_);
            } else {
                detail::start_plain_session(shared_, std::move(socket));
            }
        }
        do_accept();
    }

    ListenerOptions options_;
    detail::SharedState shared_;
    std::unique_ptr<net::ssl::context> tls_;
    std::unique_ptr<detail::AccessLog> access_log_;
    std::vector<std::unique_ptr<net::io_context>> iocs_;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
    std::vector<std::thread> threads_;
    std::optional<tcp::acceptor> acceptor_;
    std::optional<net::steady_timer> accept_retry_;
    std::optional<net::signal_set> signals_;
    std::size_t next_io_ = 0;  // used on iocs_[0] only
    std::atomic<std::uint16_t> port_{0};

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool started_ = false;
    bool running_ = false;
    bool stopping_ = false;
    bool stop_requested_ = false;
    bool stopped_ = false;
};

bool is_loopback_address(const std::string& address) noexcept {
    boost::system::error_code ec;
    const auto parsed = net::ip::make_address(address, ec);
    return !ec && parsed.is_loopback();
}

MockHttpServer::MockHttpServer(ServerCore& core, ListenerOptions options)
    : owned_handler_(detail::make_core_exchange_handler(core)),
      impl_(std::make_unique<Impl>(*owned_handler_, std::move(options))) {}

MockHttpServer::MockHttpServer(ExchangeHandler& handler, ListenerOptions options)
    : impl_(std::make_unique<Impl>(handler, std::move(options))) {}

MockHttpServer::~MockHttpServer() {
    impl_.reset();
}

std::uint16_t MockHttpServer::start() {
    return impl_->start();
}
void MockHttpServer::run() {
    impl_->run();
}
std::uint16_t MockHttpServer::port() const noexcept {
    return impl_->port();
}

void MockHttpServer::stop() {
    impl_->stop();
}
void MockHttpServer::wait() {
    impl_->wait();
}
bool MockHttpServer::tls() const noexcept {
    return impl_->tls();
}
FrontEndStats MockHttpServer::stats() const {
    return impl_->stats();
}

}  // namespace conflictlab::mock::http
