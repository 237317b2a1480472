#pragma once
// detail::IoRunner: an io_context run by threads it owns, or a reference to
// one the caller runs. Owned threads keep running (work guard) until
// stop_and_join(); an exception escaping a handler is reported on stderr and
// the thread goes back to running the context, so one bad callback does not
// silently shrink the pool.

#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

namespace conflictlab::engine::detail {

class IoRunner {
  public:
    // REQUIRES: threads >= 1.
    explicit IoRunner(int threads);
    explicit IoRunner(boost::asio::io_context& external) noexcept : io_(&external) {}
    ~IoRunner() { stop_and_join(); }
    IoRunner(const IoRunner&) = delete;
    IoRunner& operator=(const IoRunner&) = delete;

    boost::asio::io_context& context() noexcept { return *io_; }
    bool owns_threads() const noexcept { return owned_.has_value(); }
    // Owned: stop the context and join the threads (idempotent). External: no-op.
    void stop_and_join();

  private:
    std::optional<boost::asio::io_context> owned_;
    boost::asio::io_context* io_ = nullptr;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::vector<std::thread> threads_;
};

}  // namespace conflictlab::engine::detail
