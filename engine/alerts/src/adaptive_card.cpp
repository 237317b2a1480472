#include "conflictlab/engine/adaptive_card.hpp"

namespace conflictlab::engine {
namespace {

nlohmann::json text_block(std::string text) {
    return {{"type", "TextBlock"}, {"text", std::move(text)}, {"wrap", true}};
}

nlohmann::json message(nlohmann::json body) {
    return {
        {"type", "message"},
        {"attachments", nlohmann::json::array({{
                            {"contentType", "application/vnd.microsoft.card.adaptive"},
                            {"contentUrl", nullptr},
                            {"content",
                             {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                              {"type", "AdaptiveCard"},
                              {"version", "1.4"},
                              {"body", std::move(body)}}},
                        }})},
    };
}

std::string or_none(const std::string& s) {
    return s.empty() ? "(none)" : s;
}

std::string join_statuses(const std::vector<int>& statuses) {
    std::string out;
    for (int s : statuses) {
        if (!out.empty())
            out += ", ";
        out += std::to_string(s);
    }
    return out.empty() ? "(none)" : out;
}

}  // namespace

std::string truncate_text(std::string_view text, std::size_t max_chars) {
    if (text.size() <= max_chars)
        return std::string(text);
    std::size_t cut = max_chars;
    // Do not split a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    std::string out(text.substr(0, cut));
    out += "\u2026 (truncated: " + std::to_string(cut) + " of " + std::to_string(text.size()) +
           " characters)";
    return out;
}

nlohmann::json adaptive_card(const Outcome& o, const AdaptiveCardOptions& options) {
    auto t = [&](const std::string& s) { return truncate_text(s, options.text_chars_max); };
    std::string reason(failure_reason_name(o.reason));
    std::string kind(outcome_kind_name(o.kind));
    std::string title = options.title_prefix + ": update " + kind +
                        (o.kind == OutcomeKind::failed ? " (" + reason + ")" : "") + " on " +
                        or_none(o.resource_id);

    nlohmann::json facts = nlohmann::json::array();
    auto fact = [&](const char* name, const std::string& value) {
        facts.push_back({{"title", name}, {"value", t(value)}});
    };
    fact("Resource", or_none(o.resource_id));
    fact("Reason", reason);
    fact("Attempts", std::to_string(o.attempts));
    fact("Conflicts", std::to_string(o.conflicts));
    fact("Correlation id", or_none(o.correlation_id));
    fact("Path", or_none(o.path));
    fact("Statuses", join_statuses(o.statuses));
    fact("Method", std::string(write_method_name(o.method)));
    fact("Writer", or_none(o.writer_id));
    fact("Operation", or_none(o.op_id));
    fact("Event", or_none(o.event_id));
    fact("Token before", o.token_before ? *o.token_before : "(none)");
    fact("Token after", o.token_after ? *o.token_after : "(none)");

    nlohmann::json title_block = text_block(t(title));
    title_block["weight"] = "Bolder";
    title_block["size"] = "Medium";
    title_block["color"] = o.kind == OutcomeKind::failed ? "Attention" : "Default";

    nlohmann::json body = nlohmann::json::array();
    body.push_back(std::move(title_block));
    if (!o.detail.empty()) {
        nlohmann::json detail = text_block(t(o.detail));
        detail["isSubtle"] = true;
        body.push_back(std::move(detail));
    }
    body.push_back({{"type", "FactSet"}, {"facts", std::move(facts)}});

    nlohmann::json heading = text_block("Submitted vs. server state");
    heading["weight"] = "Bolder";
    body.push_back(std::move(heading));
    std::string delta = o.delta
                            ? o.delta->dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                            : "(no delta recorded)";
    nlohmann::json code = text_block(truncate_text(delta, options.delta_chars_max));
    code["fontType"] = "Monospace";
    body.push_back(std::move(code));
    return message(std::move(body));
}

nlohmann::json suppressed_alerts_card(std::uint64_t suppressed, WallTime since,
                                      const AdaptiveCardOptions& options) {
    nlohmann::json title =
        text_block(options.title_prefix + ": " + std::to_string(suppressed) + " alert" +
                   (suppressed == 1 ? "" : "s") + " suppressed by rate limiting");
    title["weight"] = "Bolder";
    title["size"] = "Medium";
    title["color"] = "Warning";
    nlohmann::json body = nlohmann::json::array();
    body.push_back(std::move(title));
    body.push_back(text_block("Failed resolutions since " + format_rfc3339(since) +
                              " were not posted individually. The outcome log has every one "
                              "of them (kind = failed, alert = 1)."));
    body.push_back({{"type", "FactSet"},
                    {"facts",
                     {{{"title", "Suppressed"}, {"value", std::to_string(suppressed)}},
                      {{"title", "Since"}, {"value", format_rfc3339(since)}}}}});
    return message(std::move(body));
}

}  // namespace conflictlab::engine
