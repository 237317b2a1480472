#include "conflictlab/engine/freshness.hpp"

#include <gtest/gtest.h>

namespace conflictlab::engine {
namespace {

using nlohmann::json;

WallTime at(const char* rfc3339) {
    return *parse_rfc3339(rfc3339);
}

TEST(BusinessTimestamp, Rfc3339StringOrEpochMilliseconds) {
    json doc = {{"s", "2026-01-01T10:00:00.250+01:00"},
                {"n", 1767261600250},
                {"f", 1.5e3},
                {"bad", "yesterday"},
                {"obj", json::object()}};
    EXPECT_EQ(read_business_timestamp(doc, "/s"), at("2026-01-01T09:00:00.250Z"));
    EXPECT_EQ(read_business_timestamp(doc, "/n"), at("2026-01-01T10:00:00.250Z"));
    EXPECT_EQ(read_business_timestamp(doc, "/f"), WallTime{std::chrono::milliseconds{1500}});
    EXPECT_EQ(read_business_timestamp(doc, "/bad"), std::nullopt);
    EXPECT_EQ(read_business_timestamp(doc, "/obj"), std::nullopt);
    EXPECT_EQ(read_business_timestamp(doc, "/missing"), std::nullopt);
    EXPECT_EQ(read_business_timestamp(doc, ""), std::nullopt);
    EXPECT_EQ(read_business_timestamp(json(5), "/s"), std::nullopt);
}

TEST(CompareFreshness, BodyTimestampPreferredOverLastModified) {
    json body = {{"ts", "2026-01-01T10:00:00Z"}};
    HeaderFields h{{"Last-Modified", "Thu, 01 Jan 2026 12:00:00 GMT"}};
    auto f = compare_freshness(at("2026-01-01T11:00:00Z"), &body, h, "/ts");
    EXPECT_EQ(f.signal, FreshnessSignal::business_timestamp);
    EXPECT_EQ(f.age, Age::newer);
}

TEST(CompareFreshness, LastModifiedAtSecondPrecision) {
    HeaderFields h{{"Last-Modified", "Thu, 01 Jan 2026 10:00:00 GMT"}};
    auto same = compare_freshness(at("2026-01-01T10:00:00.999Z"), nullptr, h, "/ts");
    EXPECT_EQ(same.signal, FreshnessSignal::last_modified);
    EXPECT_EQ(same.age, Age::same);
    EXPECT_EQ(compare_freshness(at("2026-01-01T09:59:59.999Z"), nullptr, h, "/ts").age, Age::older);
}

TEST(CompareFreshness, NoIncomingTimestampOrNoCurrentSignal_None) {
    json body = {{"ts", "2026-01-01T10:00:00Z"}};
    EXPECT_EQ(compare_freshness(std::nullopt, &body, {}, "/ts").signal, FreshnessSignal::none);
    auto f = compare_freshness(at("2026-01-01T10:00:00Z"), &body, {}, "");
    EXPECT_EQ(f.signal, FreshnessSignal::none);
    EXPECT_EQ(f.age, Age::unknown);
    HeaderFields garbage{{"Last-Modified", "not a date"}};
    EXPECT_EQ(compare_freshness(at("2026-01-01T10:00:00Z"), nullptr, garbage, "/ts").signal,
              FreshnessSignal::none);
}

}  // namespace
}  // namespace conflictlab::engine
