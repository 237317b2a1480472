// The reference for scripts/bench-mock.sh: the smallest Boost.Beast HTTP/1.1
// keep-alive server, in the shape of Beast's example/http/server/async (one
// io_context run by N threads, a strand per connection, a request read with
// async_read, a response written with async_write), answering every request
// with one small JSON body. The mock server's throughput is reported as a
// ratio of this one's, measured in the same run on the same machine.
//
// Usage: beast_reference_server [PORT [THREADS]]   (PORT 0 = ephemeral)
// Prints "listening on http://127.0.0.1:PORT", then serves until SIGINT/SIGTERM.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kBody =
    R"({"id":"bench","value":1,"updatedAt":"2026-01-01T00:00:00.000Z"})";

class Session : public std::enable_shared_from_this<Session> {
  public:
    explicit Session(tcp::socket&& socket) : stream_(std::move(socket)) {}

    void run() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&Session::do_read, shared_from_this()));
    }

  private:
    void do_read() {
        req_ = {};
        stream_.expires_after(std::chrono::seconds(30));
        http::async_read(stream_, buffer_, req_,
                         beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec)
            return do_close();
        res_ = {};
        res_.result(http::status::ok);
        res_.version(req_.version());
        res_.set(http::field::content_type, "application/json");
        res_.set(http::field::etag, "\"1\"");
        res_.keep_alive(req_.keep_alive());
        res_.body() = kBody;
        res_.prepare_payload();
        http::async_write(stream_, res_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (ec)
            return do_close();
        if (!res_.keep_alive())
            return do_close();
        do_read();
    }

    void do_close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
};

class Listener : public std::enable_shared_from_this<Listener> {
  public:
    Listener(net::io_context& ioc, tcp::endpoint endpoint)
        : ioc_(ioc), acceptor_(net::make_strand(ioc)) {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(net::socket_base::max_listen_connections);
    }

    unsigned short port() const { return acceptor_.local_endpoint().port(); }

    void run() { do_accept(); }

  private:
    void do_accept() {
        acceptor_.async_accept(net::make_strand(ioc_),
                               beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted)
            return;
        if (!ec)
            std::make_shared<Session>(std::move(socket))->run();
        do_accept();
    }

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
};

}  // namespace

int main(int argc, char** argv) {
    const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
    int threads =
        argc > 2 ? std::atoi(argv[2]) : static_cast<int>(std::thread::hardware_concurrency());
    if (threads < 1)
        threads = 1;

    net::io_context ioc{threads};
    auto listener =
        std::make_shared<Listener>(ioc, tcp::endpoint{net::ip::make_address("127.0.0.1"), port});
    listener->run();
    std::cout << "listening on http://127.0.0.1:" << listener->port() << std::endl;

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code const&, int) { ioc.stop(); });

    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i)
        pool.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : pool)
        t.join();
    return 0;
}
