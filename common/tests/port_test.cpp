#include "conflictlab/common/port.hpp"

#include <gtest/gtest.h>

namespace conflictlab {
namespace {

TEST(ParsePort, DecimalPortsInRange) {
    EXPECT_EQ(parse_port("0"), 0);
    EXPECT_EQ(parse_port("80"), 80);
    EXPECT_EQ(parse_port("6379"), 6379);
    EXPECT_EQ(parse_port("65535"), 65535);
    EXPECT_EQ(parse_port("08080"), 8080);
}

TEST(ParsePort, AnythingElseIsRejected) {
    for (const char* bad : {"", "65536", "99999", "100000", "-1", "+80", " 80", "80 ", "8o", "0x50",
                            "1e3", "80.0", "123456789012"}) {
        EXPECT_EQ(parse_port(bad), std::nullopt) << '"' << bad << '"';
    }
}

}  // namespace
}  // namespace conflictlab
