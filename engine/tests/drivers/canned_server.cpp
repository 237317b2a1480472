#include "canned_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace conflictlab::engine::testing {
namespace {

int listen_on_loopback(std::uint16_t& port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw std::runtime_error("socket");
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd, 128) != 0) {
        ::close(fd);
        throw std::runtime_error("bind/listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    return fd;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

std::string http_response(int status, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string r = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
    for (const auto& [n, v] : headers)
        r += n + ": " + v + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
}

std::uint16_t unused_port() {
    std::uint16_t port = 0;
    int fd = listen_on_loopback(port);
    ::close(fd);
    return port;
}

CannedServer::CannedServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = listen_on_loopback(port_);
    acceptor_ = std::thread([this] { accept_loop(); });
}

CannedServer::~CannedServer() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        for (int fd : fds_)
            ::shutdown(fd, SHUT_RDWR);
    }
    stop_cv_.notify_all();
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    for (auto& t : workers_)
        t.join();
    ::close(listen_fd_);
}

std::vector<CannedRequest> CannedServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

bool CannedServer::wait_stopped_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex_);
    return stop_cv_.wait_for(lock, d, [&] { return stop_.load(); });
}

void CannedServer::accept_loop() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0)
            continue;
        int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0)
            continue;
        int index = connections_.fetch_add(1);
        std::lock_guard lock(mutex_);
        if (stop_) {
            ::close(fd);
            break;
        }
        fds_.push_back(fd);
        workers_.emplace_back([this, fd, index] { serve(fd, index); });
    }
}

void CannedServer::serve(int fd, int index) {
    std::string buffer;
    char chunk[4096];
    bool open = true;
    while (open && !stop_) {
        // Read one request: headers, then Content-Length bytes of body.
        std::size_t header_end;
        while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
            ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                open = false;
                break;
            }
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        if (!open)
            break;
        CannedRequest req;
        req.connection = index;
        std::string head = buffer.substr(0, header_end);
        std::size_t line_end = head.find("\r\n");
        std::string request_line = head.substr(0, line_end);
        std::size_t sp1 = request_line.find(' ');
        std::size_t sp2 = request_line.find(' ', sp1 + 1);
        req.method = request_line.substr(0, sp1);
        req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
        std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
        while (pos < head.size()) {
            std::size_t e = head.find("\r\n", pos);
            if (e == std::string::npos)
                e = head.size();
            std::string line = head.substr(pos, e - pos);
            std::size_t colon = line.find(':');
            if (colon != std::string::npos) {
                std::string v = line.substr(colon + 1);
                while (!v.empty() && v.front() == ' ')
                    v.erase(0, 1);
                req.headers[lower(line.substr(0, colon))] = v;
            }
            pos = e + 2;
        }
        std::size_t length = 0;
        if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
            length = std::stoul(it->second);
        }
        buffer.erase(0, header_end + 4);
        while (buffer.size() < length) {
            ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                open = false;
                break;
            }
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        if (!open)
            break;
        req.body = buffer.substr(0, length);
        buffer.erase(0, length);
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(req);
        }
        CannedReply reply = handler_(req);
        if (reply.delay.count() > 0 && wait_stopped_for(reply.delay))
            break;
        switch (reply.fate) {
            case Fate::respond: {
                std::size_t sent = 0;
                while (sent < reply.raw.size()) {
                    ssize_t n =
                        ::send(fd, reply.raw.data() + sent, reply.raw.size() - sent, MSG_NOSIGNAL);
                    if (n <= 0)
                        break;
                    sent += static_cast<std::size_t>(n);
                }
                if (reply.close_after)
                    open = false;
                break;
            }
            case Fate::close:
                open = false;
                break;
            case Fate::hang:
                wait_stopped_for(std::chrono::hours(1));
                open = false;
                break;
            case Fate::reset: {
                linger l{1, 0};
                ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                open = false;
                break;
            }
        }
    }
    std::lock_guard lock(mutex_);
    fds_.erase(std::remove(fds_.begin(), fds_.end(), fd), fds_.end());
    ::close(fd);
}

}  // namespace conflictlab::engine::testing
