#include "conflictlab/engine/jsonl_outcome_log.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "batch_queue.hpp"

namespace conflictlab::engine {

struct JsonlOutcomeLog::Impl {
    JsonlOutcomeLogOptions options;
    std::FILE* file = nullptr;
    detail::BatchQueue<Outcome> queue;
    std::thread worker;
    std::atomic<std::uint64_t> lines{0};
    std::mutex error_mutex;
    std::string last_error;

    explicit Impl(JsonlOutcomeLogOptions o)
        : options(std::move(o)), queue(options.queue_capacity) {}

    void run() {
        std::vector<Outcome> batch;
        std::string buffer;
        while (queue.pop_batch(batch, options.batch_lines_max)) {
            buffer.clear();
            for (const auto& o : batch) {
                buffer += to_json(o).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                buffer += '\n';
            }
            bool ok = std::fwrite(buffer.data(), 1, buffer.size(), file) == buffer.size() &&
                      std::fflush(file) == 0;
            if (ok) {
                lines.fetch_add(batch.size(), std::memory_order_relaxed);
            } else {
                std::lock_guard lock(error_mutex);
                if (last_error.empty())
                    last_error = std::string("write failed: ") + std::strerror(errno);
            }
            queue.done(batch.size());
        }
    }
};

JsonlOutcomeLog::JsonlOutcomeLog(JsonlOutcomeLogOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
    if (impl_->options.path.empty())
        throw std::runtime_error("outcome log: path is empty");
    impl_->file = std::fopen(impl_->options.path.c_str(), impl_->options.truncate ? "wb" : "ab");
    if (impl_->file == nullptr) {
        throw std::runtime_error("outcome log " + impl_->options.path +
                                 ": cannot open: " + std::strerror(errno));
    }
    impl_->worker = std::thread([impl = impl_.get()] { impl->run(); });
}

JsonlOutcomeLog::~JsonlOutcomeLog() {
    impl_->queue.close();
    if (impl_->worker.joinable())
        impl_->worker.join();
    if (impl_->file != nullptr)
        std::fclose(impl_->file);
}

void JsonlOutcomeLog::record(const Outcome& outcome) {
    Outcome copy = outcome;
    impl_->queue.push_wait(std::move(copy));
}

void JsonlOutcomeLog::flush() {
    if (!impl_->queue.wait_processed(impl_->options.flush_timeout)) {
        throw std::runtime_error("outcome log " + impl_->options.path + ": flush timed out after " +
                                 std::to_string(impl_->options.flush_timeout.count()) + " ms");
    }
    std::string error;
    {
        std::lock_guard lock(impl_->error_mutex);
        error.swap(impl_->last_error);
    }
    if (!error.empty())
        throw std::runtime_error("outcome log " + impl_->options.path + ": " + error);
}

std::uint64_t JsonlOutcomeLog::lines_written() const {
    return impl_->lines.load();
}

}  // namespace conflictlab::engine
