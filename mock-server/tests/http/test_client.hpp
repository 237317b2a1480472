#pragma once
// A deliberately dumb blocking HTTP/1.1 client on raw POSIX sockets, for the
// front-end tests: it sends exactly the bytes it is given (so tests can send
// garbage, trickle headers or pipeline) and reports how a connection ended.
// Every read is bounded by a receive timeout.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace conflictlab::mock::http::testing {

struct RawResponse {
    int status = 0;
    std::string head;  // status line and fields, up to the blank line
    std::string body;
    // The value of the first field named `name` (case-insensitive), or "".
    std::string header(std::string_view name) const;
};

enum class ConnectionEnd { eof, reset, timeout };

class RawConnection {
  public:
    // Connects to 127.0.0.1:port. Throws std::runtime_error on failure.
    explicit RawConnection(std::uint16_t port,
                           std::chrono::milliseconds receive_timeout = std::chrono::seconds(5));
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // False when the peer has already closed or reset the connection.
    bool send(std::string_view bytes);
    // One response, framed by Content-Length (no body when `head_request` or
    // for 1xx/204/304). nullopt when the connection ended first.
    std::optional<RawResponse> read_response(bool head_request = false);
    // Reads and keeps bytes until the connection ends or the receive timeout.
    ConnectionEnd read_until_closed(std::string* received = nullptr);

  private:
    bool fill();  // one recv into pending_; false on EOF/error/timeout
    int fd_ = -1;
    std::string pending_;
    ConnectionEnd last_end_ = ConnectionEnd::eof;
};

}  // namespace conflictlab::mock::http::testing
