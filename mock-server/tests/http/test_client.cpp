#include "test_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

#include "conflictlab/common/headers.hpp"

namespace conflictlab::mock::http::testing {

std::string RawResponse::header(std::string_view name) const {
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
        std::size_t end = head.find("\r\n", pos + 2);
        std::string_view line(head.data() + pos + 2,
                              (end == std::string::npos ? head.size() : end) - pos - 2);
        auto colon = line.find(':');
        if (colon != std::string_view::npos && iequals(line.substr(0, colon), name)) {
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ')
                value.remove_prefix(1);
            return std::string(value);
        }
        pos = end;
    }
    return {};
}

RawConnection::RawConnection(std::uint16_t port, std::chrono::milliseconds receive_timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0)
        throw std::runtime_error("socket() failed");
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(receive_timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((receive_timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        throw std::runtime_error("connect() failed");
    }
}

RawConnection::~RawConnection() {
    if (fd_ >= 0)
        ::close(fd_);
}

bool RawConnection::send(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool RawConnection::fill() {
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
        pending_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }
    if (n == 0) {
        last_end_ = ConnectionEnd::eof;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        last_end_ = ConnectionEnd::timeout;
    } else {
        last_end_ = ConnectionEnd::reset;
    }
    return false;
}

std::optional<RawResponse> RawConnection::read_response(bool head_request) {
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
        if (!fill())
            return std::nullopt;
    }
    RawResponse r;
    r.head = pending_.substr(0, end);
    pending_.erase(0, end + 4);
    if (r.head.size() < 12)
        return std::nullopt;
    r.status = std::atoi(r.head.c_str() + 9);
    const bool bodiless = head_request || r.status < 200 || r.status == 204 || r.status == 304;
    const std::string length = r.header("Content-Length");
    const std::size_t n = bodiless || length.empty() ? 0 : std::stoul(length);
    while (pending_.size() < n) {
        if (!fill())
            return std::nullopt;
    }
    r.body = pending_.substr(0, n);
    pending_.erase(0, n);
    return r;
}

ConnectionEnd RawConnection::read_until_closed(std::string* received) {
    while (fill()) {
    }
    if (received != nullptr)
        *received = pending_;
    pending_.clear();
    return last_end_;
}

}  // namespace conflictlab::mock::http::testing
