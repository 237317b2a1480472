#pragma once
// A fresh database path per test under the GoogleTest temp dir; the files
// (db, -wal, -shm) are removed when the object goes away.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace conflictlab::service::testing {

class TempDb {
  public:
    TempDb() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::path(::testing::TempDir()) /
               ("conflictlab-service-" + std::string(info->test_suite_name()) + "-" + info->name() +
                "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    ~TempDb() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    std::string path() const { return (dir_ / "events.db").string(); }
    std::filesystem::path dir() const { return dir_; }

  private:
    std::filesystem::path dir_;
};

}  // namespace conflictlab::service::testing
