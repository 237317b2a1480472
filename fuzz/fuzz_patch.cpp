// Fuzz target: merge-patch and JSON-patch application.
//
// Input: a JSON array [current, patch]. Properties:
// - engine overlay() with patch semantics is RFC 7396: it equals nlohmann's
//   merge_patch for an object patch (no set-merge pointers);
// - engine create_merge_patch(from, to) applied to `from` gives `to` when
//   `to` has no null members (RFC 7396 cannot express those);
// - the mock server's PATCH (both media types) on a resource holding
//   `current` never answers 5xx, and answers 200 exactly when the reference
//   application (nlohmann merge_patch / patch) succeeds with an object.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "conflictlab/engine/merge.hpp"
#include "conflictlab/mock/server_core.hpp"
#include "fuzz_check.hpp"

namespace engine = conflictlab::engine;
namespace mock = conflictlab::mock;
using nlohmann::json;

namespace {

std::size_t depth(const json& v) {
    std::size_t deepest = 0;
    if (v.is_structured()) {
        for (const auto& member : v)
            deepest = std::max(deepest, depth(member));
        return deepest + 1;
    }
    return 0;
}

bool has_null_member(const json& v) {
    if (v.is_object()) {
        for (const auto& [key, member] : v.items()) {
            (void)key;
            if (member.is_null() || has_null_member(member))
                return true;
        }
    }
    return false;
}

// The reference: nlohmann's own RFC 7396 / RFC 6902 application; nullopt
// when it rejects the patch or the result is not an object.
std::optional<json> reference_patch(const json& current, const json& patch, bool merge) {
    try {
        json result = current;
        if (merge) {
            result.merge_patch(patch);
        } else {
            result = result.patch(patch);
        }
        if (!result.is_object())
            return std::nullopt;
        return result;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

mock::Response send(mock::ServerCore& core, std::string method, std::string content_type,
                    std::string body) {
    mock::Request request;
    request.method = std::move(method);
    request.target = "/resources/fuzz";
    request.headers.add("Content-Type", std::move(content_type));
    request.body = std::move(body);
    request.peer = "127.0.0.1:1";
    return core.handle(request);
}

void check_mock_patch(const json& current, const json& patch, bool merge) {
    static const mock::ManualClock clock;
    mock::CoreOptions options;
    options.store_shards = 1;
    mock::ServerCore core(options, clock);
    const auto put = send(core, "PUT", "application/json", current.dump());
    FUZZ_CHECK(put.status == 201 || put.status == 200 || put.status == 400);
    if (put.status == 400)
        return;  // e.g. deeper than max_json_depth
    const auto answer =
        send(core, "PATCH", merge ? "application/merge-patch+json" : "application/json-patch+json",
             patch.dump());
    if (answer.status >= 500) {
        std::fprintf(stderr, "PATCH answered %d: %s\n", answer.status, answer.body.c_str());
        FUZZ_CHECK(answer.status < 500);
    }
    if (depth(patch) > options.max_json_depth)
        return;  // rejected before parsing (400), whatever the reference says
    const bool applies = reference_patch(current, patch, merge).has_value();
    if (applies != (answer.status == 200)) {
        std::fprintf(stderr, "PATCH answered %d (reference %s): %s\n", answer.status,
                     applies ? "applies" : "rejects", answer.body.c_str());
        FUZZ_CHECK(applies == (answer.status == 200));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto doc = conflictlab::fuzz::parse_json(conflictlab::fuzz::as_text(data, size));
    if (!doc || !doc->is_array() || doc->size() != 2)
        return 0;
    const json& current = (*doc)[0];
    const json& patch = (*doc)[1];

    if (patch.is_object()) {
        json expected = current;
        expected.merge_patch(patch);
        FUZZ_CHECK(engine::overlay(current, patch, {}, /*patch_semantics=*/true) == expected);
    }
    if (!has_null_member(patch)) {
        json rebuilt = current;
        rebuilt.merge_patch(engine::create_merge_patch(current, patch));
        FUZZ_CHECK(rebuilt == patch);
    }
    if (current.is_object()) {
        check_mock_patch(current, patch, /*merge=*/true);
        if (patch.is_array())
            check_mock_patch(current, patch, /*merge=*/false);
    }
    return 0;
}
