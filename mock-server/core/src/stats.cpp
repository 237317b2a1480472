#include "stats.hpp"

#include <cstdio>

namespace conflictlab::mock {

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

void append_u64(std::string& out, std::uint64_t v) {
    out += std::to_string(v);
}

void append_double(std::string& out, double v) {
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%.9g", v);
    out.append(buf, static_cast<std::size_t>(n));
}

}  // namespace

std::string_view conflict_kind_label(ConflictKind kind) noexcept {
    switch (kind) {
        case ConflictKind::precondition_failed:
            return "412";
        case ConflictKind::conflict:
            return "409";
        case ConflictKind::precondition_required:
            return "428";
        case ConflictKind::busy:
            return "busy";
        case ConflictKind::none:
            break;
    }
    return "none";
}

std::size_t Stats::method_index(std::string_view method) noexcept {
    for (std::size_t i = 0; i + 1 < kMethods.size(); ++i) {
        if (kMethods[i] == method) {
            return i;
        }
    }
    return kMethods.size() - 1;
}

void Stats::count_request(std::string_view method, int status) noexcept {
    if (status < kStatusMin || status >= kStatusMin + kStatusSlots) {
        status = 500;  // never sent by the core; keep the count honest anyway
    }
    requests_[method_index(method)][static_cast<std::size_t>(status - kStatusMin)].fetch_add(
        1, kRelaxed);
}

void Stats::count_conflict(ConflictKind kind) noexcept {
    if (kind != ConflictKind::none) {
        conflicts_[static_cast<std::size_t>(kind)].fetch_add(1, kRelaxed);
    }
}

void Stats::observe_latency(std::string_view method, std::chrono::nanoseconds latency) noexcept {
    Histogram& h = latency_[method_index(method)];
    const double seconds = std::chrono::duration<double>(latency).count();
    std::size_t bucket = kBuckets.size();  // +Inf
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) {
            bucket = i;
            break;
        }
    }
    h.buckets[bucket].fetch_add(1, kRelaxed);
    h.sum_ns.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0)),
                       kRelaxed);
    h.count.fetch_add(1, kRelaxed);
}

void Stats::reset() noexcept {
    for (auto& row : requests_) {
        for (auto& c : row) {
            c.store(0, kRelaxed);
        }
    }
    for (auto& c : conflicts_) {
        c.store(0, kRelaxed);
    }
    for (auto& h : latency_) {
        for (auto& b : h.buckets) {
            b.store(0, kRelaxed);
        }
        h.sum_ns.store(0, kRelaxed);
        h.count.store(0, kRelaxed);
    }
}

nlohmann::json Stats::requests_json() const {
    nlohmann::json by_method = nlohmann::json::object();
    nlohmann::json by_status = nlohmann::json::object();
    std::uint64_t total = 0;
    for (std::size_t m = 0; m < kMethods.size(); ++m) {
        std::uint64_t method_total = 0;
        for (int s = 0; s < kStatusSlots; ++s) {
            const std::uint64_t n = requests_[m][static_cast<std::size_t>(s)].load(kRelaxed);
            if (n == 0) {
                continue;
            }
            method_total += n;
            const std::string key = std::to_string(s + kStatusMin);
            by_status[key] = by_status.value(key, std::uint64_t{0}) + n;
        }
        if (method_total > 0) {
            by_method[std::string(kMethods[m])] = method_total;
        }
        total += method_total;
    }
    return {{"total", total}, {"by_method", by_method}, {"by_status", by_status}};
}

nlohmann::json Stats::conflicts_json() const {
    nlohmann::json by_kind = nlohmann::json::object();
    std::uint64_t total = 0;
    for (auto kind : {ConflictKind::precondition_failed, ConflictKind::conflict,
                      ConflictKind::precondition_required, ConflictKind::busy}) {
        const std::uint64_t n = conflicts_[static_cast<std::size_t>(kind)].load(kRelaxed);
        by_kind[std::string(conflict_kind_label(kind))] = n;
        total += n;
    }
    return {{"total", total}, {"by_kind", by_kind}};
}

void Stats::render_metrics(std::string& out) const {
    out += "# HELP conflictlab_mock_requests_total Requests answered, by method and status.\n";
    out += "# TYPE conflictlab_mock_requests_total counter\n";
    for (std::size_t m = 0; m < kMethods.size(); ++m) {
        for (int s = 0; s < kStatusSlots; ++s) {
            const std::uint64_t n = requests_[m][static_cast<std::size_t>(s)].load(kRelaxed);
            if (n == 0) {
                continue;
            }
            out += "conflictlab_mock_requests_total{method=\"";
            out += kMethods[m];
            out += "\",status=\"";
            out += std::to_string(s + kStatusMin);
            out += "\"} ";
            append_u64(out, n);
            out += '\n';
        }
    }
    out +=
        "# HELP conflictlab_mock_conflicts_total Conflicts answered, by kind "
        "(412, 409, 428, busy).\n";
    out += "# TYPE conflictlab_mock_conflicts_total counter\n";
    for (auto kind : {ConflictKind::precondition_failed, ConflictKind::conflict,
                      ConflictKind::precondition_required, ConflictKind::busy}) {
        out += "conflictlab_mock_conflicts_total{kind=\"";
        out += conflict_kind_label(kind);
        out += "\"} ";
        append_u64(out, conflicts_[static_cast<std::size_t>(kind)].load(kRelaxed));
        out += '\n';
    }
    out +=
        "# HELP conflictlab_mock_request_duration_seconds Time from a request's last byte to "
        "its response's last byte, as reported by the front end.\n";
    out += "# TYPE conflictlab_mock_request_duration_seconds histogram\n";
    for (std::size_t m = 0; m < kMethods.size(); ++m) {
        const Histogram& h = latency_[m];
        const std::uint64_t count = h.count.load(kRelaxed);
        if (count == 0) {
            continue;
        }
        const std::string label = "method=\"" + std::string(kMethods[m]) + "\"";
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i <= kBuckets.size(); ++i) {
            cumulative += h.buckets[i].load(kRelaxed);
            out += "conflictlab_mock_request_duration_seconds_bucket{" + label + ",le=\"";
            if (i < kBuckets.size()) {
                append_double(out, kBuckets[i]);
            } else {
                out += "+Inf";
            }
            out += "\"} ";
            append_u64(out, cumulative);
            out += '\n';
        }
        out += "conflictlab_mock_request_duration_seconds_sum{" + label + "} ";
        append_double(out, static_cast<double>(h.sum_ns.load(kRelaxed)) / 1e9);
        out += "\nconflictlab_mock_request_duration_seconds_count{" + label + "} ";
        append_u64(out, cumulative);
        out += '\n';
    }
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace conflictlab::mock
