#include "conflictlab/harness/console.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <sstream>
#include <utility>
#include <vector>

namespace conflictlab::harness {

namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
    char buf[512];
    va_list args;
    va_start(args, fmt);
    const int n = std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    if (n < 0)
        return {};
    return std::string(buf, static_cast<std::size_t>(std::min<int>(n, sizeof buf - 1)));
}

std::string value_text(const nlohmann::json& v) {
    return v.is_null() ? "unknown" : v.dump();
}

std::uint64_t count_of(const std::map<std::string, std::uint64_t>& m, const std::string& key) {
    const auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

// The `limit` largest entries, largest first (ties by name).
std::vector<std::pair<std::string, std::uint64_t>> top(
    const std::map<std::string, std::uint64_t>& m, std::size_t limit) {
    std::vector<std::pair<std::string, std::uint64_t>> v(m.begin(), m.end());
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (v.size() > limit)
        v.resize(limit);
    return v;
}

std::string load_text(const char* side, const SideLoad& load) {
    if (load.threads == 0)
        return {};
    return format("%s %d thread%s %.0f%% cpu", side, load.threads, load.threads == 1 ? "" : "s",
                  load.utilization * 100.0);
}

}  // namespace

std::string render_progress(const ProgressSample& s, int width) {
    double fraction = 0;
    if (s.planned > 0) {
        fraction = static_cast<double>(s.completed) / static_cast<double>(s.planned);
    } else if (s.duration_s > 0) {
        fraction = s.elapsed_s / s.duration_s;
    }
    fraction = std::clamp(fraction, 0.0, 1.0);
    std::string line;
    if (width > 0) {
        const int filled = static_cast<int>(std::floor(fraction * width));
        line = "[" + std::string(static_cast<std::size_t>(filled), '#') +
               std::string(static_cast<std::size_t>(width - filled), '.') + "] ";
    }
    const double rate = s.elapsed_s > 0 ? static_cast<double>(s.acknowledged) / s.elapsed_s : 0.0;
    line += format("%3.0f%%  ", fraction * 100.0);
    if (s.planned > 0) {
        line += format("%llu/%llu ops", static_cast<unsigned long long>(s.completed),
                       static_cast<unsigned long long>(s.planned));
    } else {
        line += format("%llu ops", static_cast<unsigned long long>(s.completed));
    }
    line += format("  %.0f ack/s  failed %llu  conflicts %llu  in-flight %llu  %.1fs", rate,
                   static_cast<unsigned long long>(s.failed),
                   static_cast<unsigned long long>(s.conflicts),
                   static_cast<unsigned long long>(s.in_flight), s.elapsed_s);
    return line;
}

Progress::Progress(std::FILE* out, bool tty, double plain_interval_s)
    : out_(out), tty_(tty), interval_s_(plain_interval_s) {}

void Progress::update(const ProgressSample& sample) {
    if (out_ == nullptr)
        return;
    if (tty_) {
        std::fprintf(out_, "\r%s\x1b[K", render_progress(sample, 30).c_str());
        std::fflush(out_);
        drawn_ = true;
        return;
    }
    if (sample.elapsed_s - last_print_s_ < interval_s_)
        return;
    last_print_s_ = sample.elapsed_s;
    std::fprintf(out_, "progress: %s\n", render_progress(sample, 0).c_str());
    std::fflush(out_);
}

void Progress::finish() {
    if (out_ != nullptr && tty_ && drawn_) {
        std::fprintf(out_, "\r\x1b[K");
        std::fflush(out_);
    }
    drawn_ = false;
}

std::string verdict_line(const RunResult& r) {
    if (r.passed())
        return "PASS";
    std::vector<std::string> reasons;
    for (const auto& e : r.expectations) {
        if (!e.result.passed) {
            reasons.push_back(e.result.text + " (measured " + value_text(e.result.measured) + ")");
        }
    }
    if (!r.checker_passed()) {
        reasons.push_back("checker found " + std::to_string(r.check.anomalies_total) +
                          " anomalies");
    }
    for (const auto& e : r.errors)
        reasons.push_back(e);
    std::string line = "FAIL";
    for (std::size_t i = 0; i < reasons.size(); ++i) {
        line += (i == 0 ? ": " : "; ") + reasons[i];
    }
    return line;
}

std::string render_summary(const RunResult& r) {
    std::ostringstream out;
    const GroupMetrics& t = r.total;
    out << "\n"
        << format("%-11s %s  seed %llu  target %s\n", "scenario", r.scenario_name.c_str(),
                  static_cast<unsigned long long>(r.seed), r.target.c_str());
    out << format("%-11s %d writers in %zu group%s, %llu ops in %.2f s", "run", r.writers,
                  r.groups.size(), r.groups.size() == 1 ? "" : "s",
                  static_cast<unsigned long long>(t.ops), r.wall_s);
    const std::string client = load_text("client", r.client_load);
    const std::string server = load_text("server", r.server_load);
    if (!client.empty())
        out << "   " << client;
    if (!server.empty())
        out << "   " << server;
    out << "\n";
    out << format("%-11s Success %llu   Resolved %llu   Discarded %llu   Failed %llu\n", "outcomes",
                  static_cast<unsigned long long>(count_of(t.outcomes, "success")),
                  static_cast<unsigned long long>(count_of(t.outcomes, "resolved")),
                  static_cast<unsigned long long>(count_of(t.outcomes, "discarded")),
                  static_cast<unsigned long long>(count_of(t.outcomes, "failed")));
    if (!t.reasons.empty()) {
        out << format("%-11s", "reasons");
        for (const auto& [reason, n] : top(t.reasons, 6)) {
            out << " " << reason << " " << n << " ";
        }
        out << "\n";
    }
    bool first = true;
    for (const auto& [path, n] : top(t.paths, 6)) {
        out << format("%-11s %-40s %llu\n", first ? "paths" : "", path.c_str(),
                      static_cast<unsigned long long>(n));
        first = false;
    }
    if (t.paths.size() > 6)
        out << format("%-11s (%zu more)\n", "", t.paths.size() - 6);
    out << format("%-11s p50 %.2f ms   p90 %.2f ms   p99 %.2f ms   p99.9 %.2f ms   max %.2f ms\n",
                  "latency", t.latency.p50_ms, t.latency.p90_ms, t.latency.p99_ms,
                  t.latency.p999_ms, t.latency.max_ms);
    out << format(
        "%-11s %.1f updates/s   attempts/update %.2f   calls/success %.2f   conflicts "
        "%llu (%.1f%% of writes)   retries exhausted %llu   alerts %llu\n",
        "goodput", t.goodput_per_s, t.attempts_per_update, t.calls_per_success,
        static_cast<unsigned long long>(t.conflicts), t.conflict_rate * 100.0,
        static_cast<unsigned long long>(t.retries_exhausted),
        static_cast<unsigned long long>(t.alerts));
    const nlohmann::json metrics = metrics_json(r);
    const nlohmann::json& status = metrics["server"]["status"];
    if (status.is_object() && !status.empty()) {
        out << format("%-11s", "server");
        for (const auto& [code, n] : status.items())
            out << " " << code << " x" << n.dump();
        out << "   faults fired " << metrics["server"]["faults_fired"].dump() << "\n";
    }
    if (r.groups.size() > 1) {
        first = true;
        for (const auto& g : r.groups) {
            out << format(
                "%-11s %-14s ack %llu/%llu  %.1f/s  attempts %.2f  calls/success "
                "%.2f  p99 %.2f ms  failed %llu\n",
                first ? "groups" : "", g.group.c_str(),
                static_cast<unsigned long long>(g.acknowledged),
                static_cast<unsigned long long>(g.ops), g.goodput_per_s, g.attempts_per_update,
                g.calls_per_success, g.latency.p99_ms,
                static_cast<unsigned long long>(count_of(g.outcomes, "failed")));
            first = false;
        }
    }
    const CheckReport& c = r.check;
    out << format(
        "%-11s %s: %llu ops checked, %llu acknowledged, %llu lost updates, %llu "
        "phantom writes, %llu linearity violations, %llu indeterminate\n",
        "checker",
        c.clean() ? "clean" : (r.anomalies_expected ? "anomalies (expected)" : "ANOMALIES"),
        static_cast<unsigned long long>(c.ops_checked),
        static_cast<unsigned long long>(c.acknowledged),
        static_cast<unsigned long long>(c.lost_updates),
        static_cast<unsigned long long>(c.phantom_writes),
        static_cast<unsigned long long>(c.linearity_violations),
        static_cast<unsigned long long>(c.indeterminate));
    for (std::size_t i = 0; i < std::min<std::size_t>(c.anomalies.size(), 3); ++i) {
        out << format("%-11s %s %s: %s\n", "", c.anomalies[i].kind.c_str(),
                      c.anomalies[i].resource_id.c_str(), c.anomalies[i].detail.c_str());
    }
    first = true;
    for (const auto& e : r.expectations) {
        out << format("%-11s %-4s %s (measured %s)", first ? "expect" : "",
                      e.result.passed ? "ok" : "FAIL", e.result.text.c_str(),
                      value_text(e.result.measured).c_str());
        if (!e.result.passed && !e.op_ids.empty()) {
            out << "  ops:";
            for (std::size_t i = 0; i < std::min<std::size_t>(e.op_ids.size(), 8); ++i) {
                out << " " << e.op_ids[i];
            }
            if (e.op_ids.size() > 8)
                out << " ...";
        }
        out << "\n";
        first = false;
    }
    for (const auto& e : r.errors)
        out << format("%-11s %s\n", "error", e.c_str());
    out << "\n" << verdict_line(r) << "\n";
    out << "reproduce: " << r.reproduce << "\n";
    return out.str();
}

}  // namespace conflictlab::harness
