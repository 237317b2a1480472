#include "access_log.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace conflictlab::mock::http::detail {

namespace {

bool secret_looking(std::string_view name) {
    static constexpr std::array<std::string_view, 6> kWords{"token",    "key",  "secret",
                                                            "password", "auth", "signature"};
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::any_of(kWords.begin(), kWords.end(),
                       [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

}  // namespace

std::string redact_target(std::string_view target) {
    auto q = target.find('?');
    if (q == std::string_view::npos)
        return std::string(target);
    std::string out(target.substr(0, q + 1));
    std::string_view query = target.substr(q + 1);
    bool first = true;
    while (true) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        if (!first)
            out += '&';
        first = false;
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && secret_looking(pair.substr(0, eq))) {
            out.append(pair.substr(0, eq + 1));
            out += "REDACTED";
        } else {
            out.append(pair);
        }
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return out;
}

std::string format_access_log_line(const AccessLogRecord& r) {
    nlohmann::json line = {
        {"time", format_rfc3339(r.time)},
        {"peer", r.peer},
        {"method", r.method},
        {"target", redact_target(r.target)},
        {"status", r.status},
        {"latency_ms", std::round(r.latency_ms * 1000.0) / 1000.0},
        {"bytes", r.bytes},
        {"fate", r.fate},
    };
    if (!r.fired_rules.empty())
        line["faults"] = r.fired_rules;
    // Targets are raw bytes from the peer: never let invalid UTF-8 throw.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

AccessLog::AccessLog(const std::string& path) {
    if (path == "-") {
        file_ = stdout;
    } else {
        file_ = std::fopen(path.c_str(), "a");
        if (file_ == nullptr) {
            throw std::runtime_error("cannot open access log " + path + ": " +
                                     std::strerror(errno));
        }
        owns_file_ = true;
    }
    writer_ = std::thread([this] { writer_loop(); });
}

AccessLog::~AccessLog() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    writer_.join();
    if (owns_file_)
        std::fclose(file_);
}

void AccessLog::record(AccessLogRecord record) {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= kPendingLimit) {
        ++dropped_;
        return;
    }
    pending_.push_back(std::move(record));
    ++enqueued_;
}

void AccessLog::flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = enqueued_;
    wake_.notify_all();
    flushed_.wait(lock, [&] { return written_ >= target || stop_; });
}

std::uint64_t AccessLog::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

void AccessLog::writer_loop() {
    std::vector<AccessLogRecord> batch;
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait_for(lock, kFlushInterval);
        batch.swap(pending_);
        const bool stopping = stop_;
        lock.unlock();
        write_batch(batch);
        lock.lock();
        written_ += batch.size();
        batch.clear();
        flushed_.notify_all();
        if (stopping && pending_.empty())
            return;
    }
}

void AccessLog::write_batch(std::vector<AccessLogRecord>& batch) {
    if (batch.empty())
        return;
    std::string text;
    text.reserve(batch.size() * 200);
    for (const auto& r : batch) {
        text += format_access_log_line(r);
        text += '\n';
    }
    std::fwrite(text.data(), 1, text.size(), file_);
    std::fflush(file_);
}

}  // namespace conflictlab::mock::http::detail
