#include "mock_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace conflictlab::engine::testing {
namespace {

pid_t spawn(const std::vector<std::string>& argv, int stdout_fd) {
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    int devnull = ::open("/dev/null", O_RDWR);
    posix_spawn_file_actions_adddup2(&actions, devnull, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd >= 0 ? stdout_fd : devnull, 1);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd >= 0 ? stdout_fd : devnull, 2);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(devnull);
    if (rc != 0)
        throw std::runtime_error("cannot start " + argv[0]);
    return pid;
}

// Waits for `pid` up to `timeout`; returns its status, or -1 on timeout.
int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0)
            return status;
        if (std::chrono::steady_clock::now() >= deadline)
            return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

std::string conflictlab_binary() {
    if (const char* env = std::getenv("CONFLICTLAB_BIN"); env != nullptr && *env != '\0')
        return env;
    return CONFLICTLAB_DEFAULT_BIN;
}

MockProcess::MockProcess(const std::vector<std::string>& extra_args) {
    std::string bin = conflictlab_binary();
    if (::access(bin.c_str(), X_OK) != 0) {
        throw std::runtime_error("conflictlab binary not found at " + bin +
                                 " (build the `conflictlab` target or set CONFLICTLAB_BIN)");
    }
    std::vector<std::string> argv = {bin, "mock", "--port", "0", "--threads", "2"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe");
    std::vector<char*> args;
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error("fork");
    if (pid_ == 0) {
        // The server must not outlive a test process that dies without
        // running destructors (crash, SIGPIPE, timeout).
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    out_fd_ = fds[0];

    // Read until the "listening on URL" line (bounded).
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{out_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
            continue;
        char buf[512];
        ssize_t n = ::read(out_fd_, buf, sizeof buf);
        if (n <= 0)
            break;
        out.append(buf, static_cast<std::size_t>(n));
        auto at = out.find("listening on ");
        if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
            std::size_t start = at + 13;
            url_ = out.substr(start, out.find('\n', at) - start);
            while (!url_.empty() && (url_.back() == '\r' || url_.back() == ' '))
                url_.pop_back();
            port_ = static_cast<std::uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
            break;
        }
    }
    if (url_.empty()) {
        ::kill(pid_, SIGKILL);
        wait_for(pid_, std::chrono::seconds(5));
        ::close(out_fd_);
        throw std::runtime_error("conflictlab mock did not start; output:\n" + out);
    }
    // Keep draining so the server never blocks on a full pipe.
    drain_ = std::thread([fd = out_fd_] {
        char buf[4096];
        while (::read(fd, buf, sizeof buf) > 0) {
        }
    });
}

MockProcess::~MockProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        if (wait_for(pid_, std::chrono::seconds(10)) == -1) {
            ::kill(pid_, SIGKILL);
            wait_for(pid_, std::chrono::seconds(5));
        }
    }
    if (drain_.joinable())
        drain_.join();  // EOF once the process is gone
    if (out_fd_ >= 0)
        ::close(out_fd_);
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "conflictlab_e2_XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
        throw std::runtime_error("mkdtemp");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
}

int run_command(const std::vector<std::string>& argv, int timeout_s) {
    pid_t pid = spawn(argv, -1);
    int status = wait_for(pid, std::chrono::seconds(timeout_s));
    if (status == -1) {
        ::kill(pid, SIGKILL);
        wait_for(pid, std::chrono::seconds(5));
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace conflictlab::engine::testing
