// Fuzz target: the scenario file parser (harness/scenario.hpp). Properties:
// the only exception that escapes parse_scenario is ScenarioError (the
// documented error); an accepted scenario's normalised form parses again to
// the same normalised form (parse(to_json(s)) is a fixed point).

#include <cstddef>
#include <cstdint>
#include <string>

#include "conflictlab/harness/scenario.hpp"
#include "fuzz_check.hpp"

namespace harness = conflictlab::harness;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = conflictlab::fuzz::as_text(data, size);
    harness::Scenario scenario;
    try {
        scenario = harness::parse_scenario(text, "fuzz.json");
    } catch (const harness::ScenarioError& e) {
        FUZZ_CHECK(std::string(e.what()).starts_with("fuzz.json: "));
        return 0;
    }
    const nlohmann::json normalised = harness::to_json(scenario);
    const std::string normalised_text = normalised.dump();
    harness::Scenario again;
    try {
        again = harness::parse_scenario(normalised_text, "normalised.json");
    } catch (const harness::ScenarioError& e) {
        std::fprintf(stderr, "normalised scenario rejected: %s\n%s\n", e.what(),
                     normalised_text.c_str());
        FUZZ_CHECK(!"the normalised form of an accepted scenario parses");
    }
    FUZZ_CHECK(harness::to_json(again) == normalised);
    return 0;
}
