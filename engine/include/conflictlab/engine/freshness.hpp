#pragma once
// Freshness: is the update older than the server's current state? Compares
// the update's business timestamp with the current state's, read from the body
// at Policy::timestamp_pointer, else from the Last-Modified header, else
// there is no signal ("none": recorded, and the update proceeds).
//
// Thread-safety: pure functions.

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/common/headers.hpp"
#include "conflictlab/common/http_date.hpp"
#include "conflictlab/engine/outcome.hpp"

namespace conflictlab::engine {

// A business timestamp inside a document: an RFC 3339 string or an integer
// number of epoch milliseconds at `pointer`. nullopt when the pointer is
// empty or invalid, the value is missing, or it is neither form.
std::optional<WallTime> read_business_timestamp(const nlohmann::json& doc,
                                                std::string_view pointer);

enum class Age { older, same, newer, unknown };  // the update relative to current

struct Freshness {
    FreshnessSignal signal = FreshnessSignal::none;
    Age age = Age::unknown;
    std::optional<WallTime> incoming;  // the update's timestamp, if known
    std::optional<WallTime> current;   // the current state's, if known
};

// `incoming`: the update's business timestamp (Update::business_timestamp or
// read from the payload). `current_body` may be null when the body is not
// JSON. Last-Modified has one-second precision, so the comparison with it is
// done at second precision: only a strictly earlier second counts as older.
Freshness compare_freshness(std::optional<WallTime> incoming, const nlohmann::json* current_body,
                            const HeaderFields& current_headers,
                            std::string_view timestamp_pointer);

}  // namespace conflictlab::engine
