#pragma once
// MockProcess: runs the real `conflictlab mock` binary on 127.0.0.1 with an
// ephemeral port for integration tests, reads its "listening on URL" line,
// and stops it (SIGTERM, then SIGKILL after a grace period) when destroyed.
// The binary comes from $CONFLICTLAB_BIN, else the path CMake compiled in.

#include <sys/types.h>

#include <string>
#include <thread>
#include <vector>

namespace conflictlab::engine::testing {

// The conflictlab binary to run.
std::string conflictlab_binary();

class MockProcess {
  public:
    // Starts `conflictlab mock --port 0 --threads 2 <extra_args>`. Throws
    // std::runtime_error (with the server's output) if it does not print its
    // URL within 20 s.
    explicit MockProcess(const std::vector<std::string>& extra_args = {});
    ~MockProcess();
    MockProcess(const MockProcess&) = delete;
    MockProcess& operator=(const MockProcess&) = delete;

    // "http://127.0.0.1:PORT" or "https://...".
    const std::string& url() const { return url_; }
    std::uint16_t port() const { return port_; }

  private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string url_;
    std::uint16_t port_ = 0;
    std::thread drain_;
};

// A temporary directory removed with its contents on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    // Writes `text` to file(name) and returns its path.
    std::string write(const std::string& name, const std::string& text) const;

  private:
    std::string path_;
};

// Runs a command (argv), returns its exit status; output discarded. Bounded
// by `timeout_s`.
int run_command(const std::vector<std::string>& argv, int timeout_s = 60);

}  // namespace conflictlab::engine::testing
