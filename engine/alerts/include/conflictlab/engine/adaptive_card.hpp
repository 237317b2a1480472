#pragma once
// Adaptive Card alerts: the Microsoft Teams message posted to a webhook when
// a resolution Failed. Pure functions from an Outcome to JSON, unit-tested
// without a network; AlertSender posts the result.
//
// The message (docs/engine.md "Alerts" has a full example):
//   {"type":"message","attachments":[{
//     "contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,
//     "content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json",
//                "type":"AdaptiveCard","version":"1.4","body":[
//       TextBlock title, TextBlock detail,
//       FactSet {Resource, Reason, Attempts, Conflicts, Correlation id, Path,
//                Statuses, Method, Writer, Operation, Event, Token before, Token after},
//       TextBlock "Submitted vs. server state", TextBlock (monospace) delta JSON
//     ]}}]}
// Every text is truncated to a bound, so one huge document cannot make the
// webhook reject the card (Teams caps a message at about 28 KB).
//
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "conflictlab/common/http_date.hpp"
#include "conflictlab/engine/outcome.hpp"

namespace conflictlab::engine {

struct AdaptiveCardOptions {
    // Characters of the delta JSON shown at most (then "… (truncated: N of M
    // characters)").
    std::size_t delta_chars_max = 4'000;
    // Characters of any other text (detail, fact values) at most.
    std::size_t text_chars_max = 500;
    // Prefix of the title, e.g. the service or environment name.
    std::string title_prefix = "Conflict Lab";
};

// The complete Teams message for a (failed) outcome.
nlohmann::json adaptive_card(const Outcome& outcome, const AdaptiveCardOptions& options = {});

// The message summarising alerts suppressed by rate limiting since `since`.
nlohmann::json suppressed_alerts_card(std::uint64_t suppressed, WallTime since,
                                      const AdaptiveCardOptions& options = {});

// `text` cut to at most `max_chars` bytes on a UTF-8 boundary, with a note of
// how much was cut.
std::string truncate_text(std::string_view text, std::size_t max_chars);

}  // namespace conflictlab::engine
