#include "conflictlab/engine/http_client.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "client_core.hpp"
#include "io_runner.hpp"

namespace conflictlab::engine {

HttpClient::HttpClient(HttpClientOptions options, int threads)
    : io_(std::make_unique<detail::IoRunner>(threads)),
      core_(std::make_shared<detail::ClientCore>(io_->context().get_executor(),
                                                 std::move(options))) {}

HttpClient::HttpClient(HttpClientOptions options, boost::asio::io_context& io)
    : io_(std::make_unique<detail::IoRunner>(io)),
      core_(std::make_shared<detail::ClientCore>(io.get_executor(), std::move(options))) {}

HttpClient::~HttpClient() {
    core_->shutdown();
    io_->stop_and_join();
}

void HttpClient::send(SendRequest request, HttpCallback on_done) {
    core_->send(std::move(request), std::move(on_done));
}

void HttpClient::schedule(std::chrono::milliseconds delay, std::function<void()> fn) {
    auto timer = std::make_shared<boost::asio::steady_timer>(core_->executor(), delay);
    timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
        if (!ec)
            fn();
    });
}

const HttpTarget& HttpClient::target() const noexcept {
    return core_->target();
}

HttpClientStats HttpClient::stats() const {
    return core_->stats();
}

}  // namespace conflictlab::engine
