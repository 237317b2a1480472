#pragma once
// The plain data exchanged between a Resolution and its driver: requests the
// engine asks for (SendRequest), what came back (Response, TransportError),
// and the driver's clock reading (Timestamp). No Beast, no sockets: a driver
// translates these to and from its own HTTP types.
//
// Thread-safety: values.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "conflictlab/common/headers.hpp"
#include "conflictlab/common/http_date.hpp"

namespace conflictlab::engine {

// A reading of the driver's monotonic clock (steady_clock, or the simulator's
// virtual clock), as a duration since an arbitrary epoch. The engine only
// subtracts timestamps; it never reads a clock itself.
using Timestamp = std::chrono::nanoseconds;

// Why a request is sent.
enum class RequestPurpose {
    write,   // the PUT/PATCH carrying the update (counts as an attempt)
    fetch,   // GET of the current state and token (after a conflict or a 428)
    verify,  // GET after a write whose result is unknown (timeout / reset)
};

// "write", "fetch", "verify".
std::string_view request_purpose_name(RequestPurpose purpose) noexcept;

// Command: send this HTTP request and report the result with
// Resolution::on_response or Resolution::on_transport_error.
struct SendRequest {
    std::string method;    // "GET", "PUT", "PATCH"
    std::string path;      // relative to the target base URL, e.g. "/resources/a%2Fb"
    HeaderFields headers;  // everything but Host/Content-Length, which the driver adds
    std::string body;      // empty for GET
    // Give up on this request after this long and report TransportError
    // {timeout}. Already shortened to what is left of the overall deadline.
    std::chrono::milliseconds timeout{0};
    RequestPurpose purpose = RequestPurpose::write;
};

// Fact: an HTTP response arrived (any status, including 5xx).
struct Response {
    int status = 0;
    HeaderFields headers;
    std::string body;
    // The driver's wall clock when the response arrived. Only used to turn a
    // Retry-After HTTP-date into a delay when the response has no Date header
    // (the server's own Date is preferred: it cancels clock skew). Absent and
    // no Date: an HTTP-date Retry-After is ignored and the backoff decides.
    std::optional<WallTime> received_wall;
};

enum class TransportErrorKind {
    connect,   // could not connect (refused, unreachable, DNS)
    reset,     // connection reset / closed early
    timeout,   // SendRequest::timeout elapsed
    tls,       // handshake or certificate failure
    protocol,  // unparseable HTTP response
};

// "connect", "reset", "timeout", "tls", "protocol".
std::string_view transport_error_kind_name(TransportErrorKind kind) noexcept;

// Fact: the request failed below HTTP.
struct TransportError {
    TransportErrorKind kind = TransportErrorKind::connect;
    // True when the request may have reached the server, i.e. some of it was
    // written (a timed-out or reset write MAY have been applied). False only
    // when the driver knows nothing was sent (e.g. connect failed).
    bool may_have_reached_server = true;
    // Human text for the outcome's detail (no secrets).
    std::string detail;
};

}  // namespace conflictlab::engine
