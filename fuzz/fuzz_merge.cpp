// Fuzz target: the engine's three-way merge (engine/merge.hpp).
//
// Input: one byte of options (field rule, which side is newer), then a JSON
// array [base, ours, theirs, set_merge_pointers?, guard_pointers?].
// Properties: no exception escapes; a member of current (theirs) that the
// update did not touch (same in base and ours) is in the result unchanged,
// and one the server did not touch (same in base and theirs) carries the
// update's value; an update that changes nothing yields current, and a
// current that did not move yields the update.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "conflictlab/engine/merge.hpp"
#include "fuzz_check.hpp"

namespace engine = conflictlab::engine;
using nlohmann::json;

namespace {

std::vector<std::string> strings_of(const json& doc, std::size_t index) {
    std::vector<std::string> out;
    if (doc.size() > index && doc[index].is_array()) {
        for (const auto& v : doc[index]) {
            if (v.is_string())
                out.push_back(v.get<std::string>());
        }
    }
    return out;
}

const json* member(const json& obj, const std::string& key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

bool same(const json* a, const json* b) {
    return (a == nullptr || b == nullptr) ? a == b : *a == *b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    const std::uint8_t flags = data[0];
    const auto doc = conflictlab::fuzz::parse_json(conflictlab::fuzz::as_text(data + 1, size - 1));
    if (!doc || !doc->is_array() || doc->size() < 3)
        return 0;
    const json& base = (*doc)[0];
    const json& ours = (*doc)[1];
    const json& theirs = (*doc)[2];

    engine::MergeOptions options;
    static constexpr engine::FieldRule kRules[] = {
        engine::FieldRule::newer_wins, engine::FieldRule::ours, engine::FieldRule::theirs,
        engine::FieldRule::fail};
    static constexpr engine::Newer kNewer[] = {engine::Newer::ours, engine::Newer::theirs,
                                               engine::Newer::same, engine::Newer::unknown};
    options.field_rules.default_rule = kRules[flags & 3];
    options.newer = kNewer[(flags >> 2) & 3];
    options.set_merge_pointers = strings_of(*doc, 3);
    options.guard_pointers = strings_of(*doc, 4);
    if (flags & 0x10) {
        // A per-pointer rule for each set pointer exercises rule_for's lookup.
        for (const auto& p : options.set_merge_pointers)
            options.field_rules.by_pointer[p] = kRules[(flags >> 5) & 3];
    }

    const engine::MergeResult r = engine::three_way_merge(base, ours, theirs, options);
    if (!r.ok) {
        FUZZ_CHECK(!r.detail.empty());
        return 0;
    }
    FUZZ_CHECK(r.lost.size() <= r.conflicts.size());
    if (base == ours)
        FUZZ_CHECK(r.merged == theirs);
    if (base == theirs)
        FUZZ_CHECK(r.merged == ours);
    if (ours == theirs)
        FUZZ_CHECK(r.merged == ours);
    if (base.is_object() && ours.is_object() && theirs.is_object() && ours != theirs) {
        FUZZ_CHECK(r.merged.is_object());
        for (const auto& [key, value] : theirs.items()) {
            if (same(member(base, key), member(ours, key)))
                FUZZ_CHECK(r.merged.contains(key) && r.merged[key] == value);
        }
        for (const auto& [key, value] : ours.items()) {
            if (same(member(base, key), member(theirs, key)))
                FUZZ_CHECK(r.merged.contains(key) && r.merged[key] == value);
        }
        for (const auto& [key, value] : r.merged.items()) {
            (void)value;
            FUZZ_CHECK(ours.contains(key) || theirs.contains(key));
        }
    }
    return 0;
}
