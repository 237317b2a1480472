#pragma once
// The mock server's view of one HTTP exchange, free of any networking type.
// The Beast front end converts its parsed request into `Request`, calls the
// pure handler, and carries out `Response` (including its delay and the
// connection fate chosen by fault rules). Tests and the simulator build these
// values directly.

#include <chrono>
#include <string>

#include "conflictlab/common/headers.hpp"

namespace conflictlab::mock {

struct Request {
    std::string method;   // "GET", "PUT", ... as sent (upper case expected)
    std::string target;   // origin-form: "/resources/a?limit=10"
    HeaderFields headers;
    std::string body;
    std::string peer;     // "127.0.0.1:53412", for throttling keys and logs
};

// What the front end does with the connection once the handler has answered.
enum class ConnectionFate {
    respond,         // send the response (after `delay`)
    reset,           // abort the TCP connection (RST) without a response
    close_silently,  // close cleanly (FIN) without a response
    hang,            // send nothing; keep the socket open until the client gives
                     // up or the front end's hang limit expires
};

struct Response {
    int status = 200;
    HeaderFields headers;
    std::string body;
    bool head = false;  // HEAD: send headers (with the GET Content-Length), no body
    std::chrono::milliseconds delay{0};  // injected latency before the fate is carried out
    ConnectionFate fate = ConnectionFate::respond;
};

}  // namespace conflictlab::mock
