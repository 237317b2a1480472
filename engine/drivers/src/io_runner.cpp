#include "io_runner.hpp"

#include <cstdio>
#include <exception>

namespace conflictlab::engine::detail {

IoRunner::IoRunner(int threads) {
    owned_.emplace(threads > 1 ? threads : 1);
    io_ = &*owned_;
    work_.emplace(io_->get_executor());
    int n = threads > 1 ? threads : 1;
    threads_.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        threads_.emplace_back([this] {
            for (;;) {
                try {
                    io_->run();
                    return;
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "conflictlab: exception escaped an I/O handler: %s\n",
                                 e.what());
                } catch (...) {
                    std::fprintf(stderr, "conflictlab: unknown exception escaped an I/O handler\n");
                }
            }
        });
    }
}

void IoRunner::stop_and_join() {
    if (!owned_)
        return;
    work_.reset();
    io_->stop();
    for (auto& t : threads_) {
        if (t.joinable())
            t.join();
    }
    threads_.clear();
}

}  // namespace conflictlab::engine::detail
