#pragma once
// CannedServer: a scripted HTTP/1.1 server on 127.0.0.1 (ephemeral port) for
// transport tests. POSIX sockets, one thread per connection; every request is
// answered by a handler that returns raw bytes and a fate (respond, close
// without answering, hang, reset). The destructor stops everything.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace conflictlab::engine::testing {

struct CannedRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    int connection = 0;  // 0-based index of the connection it arrived on
};

enum class Fate {
    respond,  // send `raw` after `delay`, keep the connection unless close_after
    close,    // close (FIN) without answering
    hang,     // never answer; hold the connection until the server stops
    reset,    // RST without answering
};

struct CannedReply {
    std::string raw;  // full response bytes
    Fate fate = Fate::respond;
    std::chrono::milliseconds delay{0};
    bool close_after = false;  // close the connection after responding
};

// "HTTP/1.1 <status> X\r\n<headers>Content-Length: n\r\n\r\n<body>".
std::string http_response(int status, const std::string& body = "",
                          const std::vector<std::pair<std::string, std::string>>& headers = {});

class CannedServer {
  public:
    using Handler = std::function<CannedReply(const CannedRequest&)>;

    explicit CannedServer(Handler handler);
    ~CannedServer();

    std::uint16_t port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int connections() const { return connections_.load(); }
    std::vector<CannedRequest> requests() const;

  private:
    void accept_loop();
    void serve(int fd, int index);
    bool wait_stopped_for(std::chrono::milliseconds d);

    Handler handler_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    mutable std::mutex mutex_;
    std::condition_variable stop_cv_;
    std::vector<CannedRequest> requests_;
    std::vector<int> fds_;
    std::thread acceptor_;
    std::vector<std::thread> workers_;
};

// A port nothing listens on (bound, then closed).
std::uint16_t unused_port();

}  // namespace conflictlab::engine::testing
