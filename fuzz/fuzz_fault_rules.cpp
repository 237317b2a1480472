// Fuzz target: the mock server's fault-rule parser
// (mock-server/core/faults/fault_rules.hpp). Properties: the only exception
// that escapes parse_fault_rules is FaultRuleError (the documented error),
// and an accepted rule set survives the canonical round trip
// parse(to_json(s)) == s, both as a document and through its text; text
// that an accepted rule sends verbatim as a header value (retry_after_date)
// holds no control characters, so a rule cannot inject header lines.

#include <cstddef>
#include <cstdint>

#include "conflictlab/mock/faults/fault_rules.hpp"
#include "fuzz_check.hpp"

namespace mock = conflictlab::mock;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto doc = conflictlab::fuzz::parse_json(conflictlab::fuzz::as_text(data, size));
    if (!doc)
        return 0;
    mock::FaultRuleSet rules;
    try {
        rules = mock::parse_fault_rules(*doc);
    } catch (const mock::FaultRuleError& e) {
        FUZZ_CHECK(e.what()[0] != '\0');
        return 0;
    }
    for (const auto& rule : rules.rules) {
        if (rule.then.retry_after_date) {
            for (char c : *rule.then.retry_after_date) {
                const auto u = static_cast<unsigned char>(c);
                FUZZ_CHECK(u >= 0x20 && u != 0x7f);
            }
        }
    }
    const nlohmann::json canonical = mock::to_json(rules);
    FUZZ_CHECK(mock::parse_fault_rules(canonical) == rules);
    const auto reread = conflictlab::fuzz::parse_json(canonical.dump());
    FUZZ_CHECK(reread.has_value());
    FUZZ_CHECK(mock::parse_fault_rules(*reread) == rules);
    return 0;
}
