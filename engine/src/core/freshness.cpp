#include "conflictlab/engine/freshness.hpp"

#include <cmath>

#include "core/json_pointer.hpp"

namespace conflictlab::engine {

namespace {

Age compare(WallTime incoming, WallTime current) {
    if (incoming < current)
        return Age::older;
    if (incoming > current)
        return Age::newer;
    return Age::same;
}

}  // namespace

std::optional<WallTime> read_business_timestamp(const nlohmann::json& doc,
                                                std::string_view pointer) {
    if (pointer.empty())
        return std::nullopt;
    const nlohmann::json* v = detail::find(doc, pointer);
    if (v == nullptr)
        return std::nullopt;
    if (v->is_string())
        return parse_rfc3339(v->get_ref<const std::string&>());
    if (v->is_number_integer()) {
        return WallTime{std::chrono::milliseconds{v->get<std::int64_t>()}};
    }
    if (v->is_number_float()) {
        double ms = v->get<double>();
        // Beyond +-2^53 ms (285,000 years) a double is not a useful time.
        if (!std::isfinite(ms) || std::fabs(ms) > 9.0e15)
            return std::nullopt;
        return WallTime{std::chrono::milliseconds{static_cast<std::int64_t>(ms)}};
    }
    return std::nullopt;
}

Freshness compare_freshness(std::optional<WallTime> incoming, const nlohmann::json* current_body,
                            const HeaderFields& current_headers,
                            std::string_view timestamp_pointer) {
    Freshness f;
    f.incoming = incoming;
    if (current_body != nullptr)
        f.current = read_business_timestamp(*current_body, timestamp_pointer);
    if (!incoming)
        return f;  // nothing to compare: signal none
    if (f.current) {
        f.signal = FreshnessSignal::business_timestamp;
        f.age = compare(*incoming, *f.current);
        return f;
    }
    if (auto lm = current_headers.get("Last-Modified")) {
        if (auto t = parse_http_date(*lm)) {
            f.signal = FreshnessSignal::last_modified;
            f.current = *t;
            f.age = compare(std::chrono::floor<std::chrono::seconds>(*incoming),
                            std::chrono::floor<std::chrono::seconds>(*t));
            return f;
        }
    }
    return f;
}

}  // namespace conflictlab::engine
