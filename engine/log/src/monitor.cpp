#include "conflictlab/engine/monitor.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "batch_queue.hpp"
#include "conflictlab/common/http_date.hpp"

namespace conflictlab::engine {
namespace {

constexpr std::string_view kOther = "(other)";
constexpr std::size_t kBatchMax = 256;

// The fields of an Outcome the monitor needs, copied on the caller's thread.
struct Event {
    OutcomeKind kind = OutcomeKind::success;
    FailureReason reason = FailureReason::none;
    std::string path;
    std::string resource_id;
    std::string correlation_id;
    std::string writer_id;
    std::string op_id;
    std::vector<int> statuses;
    int conflicts = 0;
    int attempts = 0;
    WallTime at;
};

Event event_of(const Outcome& o, WallTime now) {
    Event e;
    e.kind = o.kind;
    e.reason = o.reason;
    e.path = o.path;
    e.conflicts = o.conflicts;
    e.attempts = o.attempts;
    e.at = now;
    if (o.conflicts > 0) {  // only conflict lines need these
        e.resource_id = o.resource_id;
        e.correlation_id = o.correlation_id;
        e.writer_id = o.writer_id;
        e.op_id = o.op_id;
        e.statuses = o.statuses;
    }
    return e;
}

std::string line_of(const Event& e) {
    nlohmann::json j = {
        {"ts", format_rfc3339(e.at)},
        {"event", "conflict"},
        {"resource", e.resource_id},
        {"correlation_id", e.correlation_id},
        {"writer_id", e.writer_id},
        {"op_id", e.op_id},
        {"kind", outcome_kind_name(e.kind)},
        {"reason", failure_reason_name(e.reason)},
        {"path", e.path},
        {"statuses", e.statuses},
        {"conflicts", e.conflicts},
        {"attempts", e.attempts},
    };
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Prometheus label value escaping (exposition format: \\, \" and \n).
std::string escape_label(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void bump(std::map<std::string, std::uint64_t>& m, const std::string& key, std::size_t limit,
          std::uint64_t by = 1) {
    auto it = m.find(key);
    if (it != m.end()) {
        it->second += by;
    } else if (m.size() < limit) {
        m.emplace(key, by);
    } else {
        m[std::string(kOther)] += by;
    }
}

}  // namespace

std::string conflict_log_line(const Outcome& outcome, WallTime now) {
    return line_of(event_of(outcome, now));
}

struct Monitor::Impl {
    MonitorOptions options;
    detail::BatchQueue<Event> queue;
    std::thread worker;
    std::atomic<std::uint64_t> dropped{0};

    mutable std::mutex mutex;  // guards the counters below
    std::uint64_t outcomes = 0;
    std::map<std::string, std::uint64_t> by_kind, by_path, by_reason;
    std::uint64_t conflicts = 0, conflicted = 0, lines = 0;
    std::unordered_map<std::string, std::uint64_t> by_resource;
    std::uint64_t other_resources = 0;

    explicit Impl(MonitorOptions o) : options(std::move(o)), queue(options.queue_capacity) {
        for (auto k : {OutcomeKind::success, OutcomeKind::resolved, OutcomeKind::discarded,
                       OutcomeKind::failed}) {
            by_kind[std::string(outcome_kind_name(k))] = 0;
        }
    }

    void write_line(const std::string& line) {
        if (options.log_line) {
            options.log_line(line);
        } else {
            std::fprintf(stderr, "%s\n", line.c_str());
        }
    }

    void count(const Event& e) {
        std::lock_guard lock(mutex);
        ++outcomes;
        by_kind[std::string(outcome_kind_name(e.kind))] += 1;
        bump(by_path, e.path, options.label_values_max);
        if (e.kind == OutcomeKind::failed) {
            bump(by_reason, std::string(failure_reason_name(e.reason)), options.label_values_max);
        }
        if (e.conflicts > 0) {
            conflicts += static_cast<std::uint64_t>(e.conflicts);
            ++conflicted;
            auto it = by_resource.find(e.resource_id);
            if (it != by_resource.end()) {
                it->second += static_cast<std::uint64_t>(e.conflicts);
            } else if (by_resource.size() < options.tracked_resources_max) {
                by_resource.emplace(e.resource_id, static_cast<std::uint64_t>(e.conflicts));
            } else {
                other_resources += static_cast<std::uint64_t>(e.conflicts);
            }
        }
    }

    void run() {
        std::vector<Event> batch;
        while (queue.pop_batch(batch, kBatchMax)) {
            for (const auto& e : batch) {
                count(e);
                if (e.conflicts > 0) {
                    write_line(line_of(e));
                    std::lock_guard lock(mutex);
                    ++lines;
                }
            }
            queue.done(batch.size());
        }
    }
};

Monitor::Monitor(MonitorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
    impl_->worker = std::thread([impl = impl_.get()] { impl->run(); });
}

Monitor::~Monitor() {
    impl_->queue.close();
    if (impl_->worker.joinable())
        impl_->worker.join();
}

void Monitor::record(const Outcome& outcome) {
    if (!impl_->queue.try_push(event_of(outcome, std::chrono::system_clock::now()))) {
        impl_->dropped.fetch_add(1, std::memory_order_relaxed);
    }
}

void Monitor::flush() {
    impl_->queue.wait_processed(impl_->options.flush_timeout);
}

MonitorSnapshot Monitor::snapshot() const {
    MonitorSnapshot s;
    s.events_dropped = impl_->dropped.load();
    std::lock_guard lock(impl_->mutex);
    s.outcomes_total = impl_->outcomes;
    s.outcomes_by_kind = impl_->by_kind;
    s.outcomes_by_path = impl_->by_path;
    s.failures_by_reason = impl_->by_reason;
    s.conflicts_total = impl_->conflicts;
    s.conflicted_outcomes_total = impl_->conflicted;
    s.conflict_log_lines = impl_->lines;
    std::vector<std::pair<std::string, std::uint64_t>> all(impl_->by_resource.begin(),
                                                           impl_->by_resource.end());
    if (impl_->other_resources > 0)
        all.emplace_back(std::string(kOther), impl_->other_resources);
    std::size_t n = std::min(all.size(), impl_->options.top_resources);
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                      [](const auto& a, const auto& b) {
                          return a.second != b.second ? a.second > b.second : a.first < b.first;
                      });
    all.resize(n);
    s.top_resources = std::move(all);
    return s;
}

std::string Monitor::prometheus_text() const {
    MonitorSnapshot s = snapshot();
    std::string out;
    auto header = [&](std::string_view name, std::string_view help, std::string_view type) {
        out += "# HELP ";
        out += name;
        out += ' ';
        out += help;
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += type;
        out += '\n';
    };
    auto labelled = [&](std::string_view name, std::string_view label,
                        const std::map<std::string, std::uint64_t>& m) {
        for (const auto& [k, v] : m) {
            out += std::string(name) + "{" + std::string(label) + "=\"" + escape_label(k) + "\"} " +
                   std::to_string(v) + "\n";
        }
    };
    header("conflictlab_engine_outcomes_total", "Resolutions finished, by outcome kind.",
           "counter");
    labelled("conflictlab_engine_outcomes_total", "kind", s.outcomes_by_kind);
    header("conflictlab_engine_outcome_paths_total", "Resolutions finished, by decision path.",
           "counter");
    labelled("conflictlab_engine_outcome_paths_total", "path", s.outcomes_by_path);
    header("conflictlab_engine_failures_total", "Failed resolutions, by reason.", "counter");
    labelled("conflictlab_engine_failures_total", "reason", s.failures_by_reason);
    header("conflictlab_engine_conflicts_total", "Conflict responses (e.g. 409/412) met.",
           "counter");
    out += "conflictlab_engine_conflicts_total " + std::to_string(s.conflicts_total) + "\n";
    header("conflictlab_engine_conflicted_outcomes_total",
           "Resolutions that met at least one conflict.", "counter");
    out += "conflictlab_engine_conflicted_outcomes_total " +
           std::to_string(s.conflicted_outcomes_total) + "\n";
    header("conflictlab_engine_resource_conflicts_total",
           "Conflict responses per resource, most conflicted resources only.", "counter");
    for (const auto& [r, v] : s.top_resources) {
        out += "conflictlab_engine_resource_conflicts_total{resource=\"" + escape_label(r) +
               "\"} " + std::to_string(v) + "\n";
    }
    header("conflictlab_engine_monitor_events_dropped_total",
           "Outcomes not counted because the monitor queue was full.", "counter");
    out += "conflictlab_engine_monitor_events_dropped_total " + std::to_string(s.events_dropped) +
           "\n";
    return out;
}

}  // namespace conflictlab::engine
