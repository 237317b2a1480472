// Fuzz target: the mock server's request path without sockets. Raw bytes go
// through Beast's request parser under the listener's default limits (as the
// session feeds it), each complete request through the pure handler
// (ServerCore::handle), and each answer through the front end's conversion
// and Beast's serializer. Several pipelined requests per input share one
// server, so a write followed by reads, patches and admin calls is reachable.
//
// Properties: handle() never throws (documented) and never falls into its
// own safety net (the 500 "internal error"); every status is 100-599;
// no response header carries CR, LF or NUL (no header injection from request
// data); every answer serialises.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "conflictlab/mock/http/listener_options.hpp"
#include "conflictlab/mock/server_core.hpp"
#include "front_end_problem.hpp"
#include "fuzz_check.hpp"
#include "message_conversion.hpp"

namespace bhttp = boost::beast::http;
namespace mock = conflictlab::mock;
namespace detail = conflictlab::mock::http::detail;

namespace {

constexpr int kRequestsPerInputMax = 16;

// The 500 problem ServerCore::handle writes when it catches an exception.
// (Request data may quote its text, and rules may inject a 500: both differ.)
bool safety_net_problem(const std::string& body) {
    const auto doc = conflictlab::fuzz::parse_json(body);
    return doc && doc->is_object() &&
           doc->value("detail", "") == "internal error while handling the request" &&
           doc->value("type", "") == "about:blank";
}

void check_and_serialise(mock::Response&& answer, unsigned version, bool keep_alive) {
    FUZZ_CHECK(answer.status >= 100 && answer.status <= 599);
    for (const auto& [name, value] : answer.headers.fields()) {
        for (char c : name)
            FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0' && c != ':' && c != ' ');
        for (char c : value)
            FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0');
    }
    if (answer.fate != mock::ConnectionFate::respond)
        return;
    detail::BeastResponse response;
    detail::to_beast_response(std::move(answer), version, keep_alive, response);
    std::ostringstream wire;
    wire << response;
    FUZZ_CHECK(wire.str().starts_with("HTTP/1."));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const mock::ManualClock clock;
    static const mock::http::ListenerOptions listener;
    mock::CoreOptions options;
    options.store_shards = 4;
    mock::ServerCore core(options, clock);

    std::string_view bytes = conflictlab::fuzz::as_text(data, size);
    for (int i = 0; i < kRequestsPerInputMax && !bytes.empty(); ++i) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(listener.header_limit_bytes));
        parser.body_limit(listener.body_limit_bytes);
        parser.eager(true);
        boost::beast::error_code ec;
        while (!parser.is_done() && !bytes.empty()) {
            const std::size_t used =
                parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
            bytes.remove_prefix(used);
            if (ec || used == 0)
                break;
        }
        if (ec == bhttp::error::need_more || (!ec && !parser.is_done()))
            return 0;  // the rest would arrive later; nothing more to answer
        if (ec) {
            int status = 400;
            if (ec == bhttp::error::body_limit)
                status = 413;
            else if (ec == bhttp::error::header_limit)
                status = 431;
            check_and_serialise(detail::front_end_problem(status, ec.message()), 11, false);
            return 0;
        }
        auto request = parser.release();
        const bool keep_alive = request.keep_alive();
        const unsigned version = request.version();
        const bool head = request.method() == bhttp::verb::head;
        mock::Request exchange = detail::to_core_request(std::move(request), "127.0.0.1:9");
        mock::Response answer;
        try {
            answer = core.handle(exchange);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "ServerCore::handle threw: %s\n", e.what());
            FUZZ_CHECK(!"ServerCore::handle never throws");
        }
        // The handler's safety net (a caught exception) answers this 500;
        // bad input must get a 4xx naming the problem instead.
        if (answer.status == 500 && safety_net_problem(answer.body)) {
            std::fprintf(stderr, "safety-net 500 for %s %s\n", exchange.method.c_str(),
                         exchange.target.c_str());
            FUZZ_CHECK(!"no request reaches the handler's safety net");
        }
        if (head)
            answer.head = true;
        check_and_serialise(std::move(answer), version, keep_alive);
        if (!keep_alive)
            return 0;
    }
    return 0;
}
