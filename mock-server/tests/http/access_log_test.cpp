// The access log: what a line holds, what it never holds, and that records
// reach the file.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "access_log.hpp"

namespace conflictlab::mock::http::detail {
namespace {

TEST(AccessLog, RedactsSecretLookingQueryValues) {
    EXPECT_EQ(redact_target("/resources/a?access_token=abc&limit=5&apiKey=zz"),
              "/resources/a?access_token=REDACTED&limit=5&apiKey=REDACTED");
    EXPECT_EQ(redact_target("/resources/a"), "/resources/a");
    EXPECT_EQ(redact_target("/r?flag"), "/r?flag");
}

TEST(AccessLog, LineHoldsTheExchangeAndNoHeaderValues) {
    AccessLogRecord r;
    r.peer = "127.0.0.1:5000";
    r.method = "PUT";
    r.target = "/resources/a?token=s3cret";
    r.status = 412;
    r.latency_ms = 1.23456;
    r.bytes = 99;
    r.fate = "respond";
    r.fired_rules = "conflict-10pct";
    const std::string line = format_access_log_line(r);
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["method"], "PUT");
    EXPECT_EQ(j["status"], 412);
    EXPECT_EQ(j["bytes"], 99);
    EXPECT_EQ(j["latency_ms"], 1.235);
    EXPECT_EQ(j["faults"], "conflict-10pct");
    EXPECT_EQ(j["target"], "/resources/a?token=REDACTED");
    EXPECT_EQ(line.find("s3cret"), std::string::npos);
}

TEST(AccessLog, InvalidUtf8InTargetDoesNotThrow) {
    AccessLogRecord r;
    r.target = "/r\xff\xfe";
    EXPECT_NO_THROW(format_access_log_line(r));
}

TEST(AccessLog, RecordsReachTheFileOnFlush) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("conflictlab_access_log_test_" + std::to_string(::getpid()) + ".jsonl");
    std::filesystem::remove(path);
    {
        AccessLog log(path.string());
        for (int i = 0; i < 3; ++i) {
            AccessLogRecord r;
            r.method = "GET";
            r.status = 200 + i;
            log.record(r);
        }
        log.flush();
        std::ifstream in(path);
        std::string line;
        int lines = 0;
        while (std::getline(in, line))
            ++lines;
        EXPECT_EQ(lines, 3);
    }
    std::filesystem::remove(path);
}

TEST(AccessLog, UnwritablePathIsNamed) {
    try {
        AccessLog log("/nonexistent-dir/access.jsonl");
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/access.jsonl"), std::string::npos);
    }
}

}  // namespace
}  // namespace conflictlab::mock::http::detail
