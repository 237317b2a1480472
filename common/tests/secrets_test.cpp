#include "conflictlab/common/secrets.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace conflictlab;

TEST(ConstantTimeEqual, EqualAndUnequal) {
    EXPECT_TRUE(constant_time_equal("token", "token"));
    EXPECT_FALSE(constant_time_equal("token", "tokem"));
    EXPECT_FALSE(constant_time_equal("token", "token2"));
    EXPECT_FALSE(constant_time_equal("", "x"));
    EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(LoadSecret, FromEnvironment) {
    ::setenv("CONFLICTLAB_TEST_SECRET", "s3cret", 1);
    EXPECT_EQ(load_secret("env:CONFLICTLAB_TEST_SECRET"), "s3cret");
}

TEST(LoadSecret, FromFileStripsNewline) {
    auto path = std::filesystem::temp_directory_path() / "conflictlab_secret_test.txt";
    std::ofstream(path) << "abc\n";
    EXPECT_EQ(load_secret("file:" + path.string()), "abc");
    EXPECT_EQ(load_secret(path.string()), "abc");
    std::filesystem::remove(path);
}

TEST(LoadSecret, MissingSourceNamesTheSourceNotTheValue) {
    ::unsetenv("CONFLICTLAB_NO_SUCH");
    try {
        load_secret("env:CONFLICTLAB_NO_SUCH");
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "secret: environment variable CONFLICTLAB_NO_SUCH is not set or empty");
    }
    EXPECT_THROW(load_secret("file:/nonexistent/secret"), std::runtime_error);
}
