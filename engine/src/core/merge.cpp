#include "conflictlab/engine/merge.hpp"

#include <algorithm>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "core/json_pointer.hpp"

namespace conflictlab::engine {

using nlohmann::json;

namespace {

// Absent members are nullptr, which is distinct from a JSON null value.
bool same(const json* a, const json* b) {
    if (a == nullptr || b == nullptr)
        return a == b;
    return *a == *b;
}

const json* member(const json* obj, const std::string& key) {
    if (obj == nullptr || !obj->is_object())
        return nullptr;
    auto it = obj->find(key);
    return it == obj->end() ? nullptr : &*it;
}

bool listed(const std::vector<std::string>& pointers, std::string_view pointer) {
    return std::find(pointers.begin(), pointers.end(), pointer) != pointers.end();
}

std::string describe(const json* v) {
    return v == nullptr ? "(absent)" : v->dump();
}

// A hash consistent with nlohmann's operator==, which compares numbers by
// value across their three types (1 == 1u == 1.0). nlohmann's own std::hash
// mixes the type in, so equal values could land in different buckets: hash
// every number as the double it compares as (equal values give equal
// doubles; +0.0 and -0.0 hash alike).
std::size_t value_hash(const json& j) noexcept {
    constexpr std::size_t kMix = 0x9e3779b97f4a7c15ull;
    auto combine = [](std::size_t seed, std::size_t h) {
        return seed ^ (h + kMix + (seed << 6) + (seed >> 2));
    };
    switch (j.type()) {
        case json::value_t::string:
            return std::hash<std::string>{}(j.get_ref<const std::string&>());
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
            return std::hash<double>{}(j.get<double>());
        case json::value_t::boolean:
            return j.get<bool>() ? 0x51u : 0x52u;
        case json::value_t::array: {
            std::size_t h = 0x61u;
            for (const auto& item : j)
                h = combine(h, value_hash(item));
            return h;
        }
        case json::value_t::object: {
            std::size_t h = 0x62u;
            for (const auto& [key, value] : j.items())
                h = combine(combine(h, std::hash<std::string>{}(key)), value_hash(value));
            return h;
        }
        default:  // null, binary, discarded: few and compared in full anyway
            return static_cast<std::size_t>(j.type());
    }
}

// A set of array elements, by value, for merge_as_set: open addressing over
// a flat table sized once (the element counts are known up front), each slot
// holding an element's address (elements are never copied: the arrays
// outlive the merge) and its hash, so a probe compares JSON values only when
// the full hashes match. No allocation per element and one cache line per
// probe, which is what a 20,000-element append-only array needs.
class ValueSet {
  public:
    explicit ValueSet(std::size_t max_elements) {
        std::size_t capacity = 16;
        while (capacity < 2 * max_elements)  // load factor <= 0.5
            capacity *= 2;
        slots_.resize(capacity);
        mask_ = capacity - 1;
    }

    // False when an equal value is already in the set.
    bool insert(const json& value, std::size_t hash) {
        Slot& slot = slots_[slot_of(value, hash)];
        if (slot.value != nullptr)
            return false;
        slot = Slot{hash, &value};
        return true;
    }

    bool contains(const json& value, std::size_t hash) const {
        return slots_[slot_of(value, hash)].value != nullptr;
    }

  private:
    struct Slot {
        std::size_t hash = 0;
        const json* value = nullptr;
    };

    // The slot holding an equal value, or the empty slot where it would go
    // (there is always one: the table is at most half full).
    std::size_t slot_of(const json& value, std::size_t hash) const {
        for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
            const Slot& slot = slots_[i];
            if (slot.value == nullptr || (slot.hash == hash && *slot.value == value))
                return i;
        }
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
};

// theirs - removed(base -> ours) + added(base -> ours), without duplicates.
// Linear in the arrays' sizes (each element hashed once): append-style
// fields grow with every write, and a hot document's set merge runs on every
// conflict. REQUIRES: ours and theirs are arrays (both callers check).
json merge_as_set(const json* base, const json& ours, const json& theirs) {
    static const json::array_t kEmpty;
    const auto& b =
        (base != nullptr && base->is_array()) ? base->get_ref<const json::array_t&>() : kEmpty;
    const auto& o = ours.get_ref<const json::array_t&>();
    const auto& t = theirs.get_ref<const json::array_t&>();

    ValueSet in_base(b.size());
    for (const auto& v : b)
        in_base.insert(v, value_hash(v));
    std::vector<std::size_t> ours_hashes(o.size());
    ValueSet in_ours(o.size());
    for (std::size_t i = 0; i < o.size(); ++i) {
        ours_hashes[i] = value_hash(o[i]);
        in_ours.insert(o[i], ours_hashes[i]);
    }

    ValueSet emitted(t.size() + o.size());
    json out = json::array();
    out.get_ref<json::array_t&>().reserve(t.size() + o.size());
    for (const auto& v : t) {
        const std::size_t h = value_hash(v);
        const bool removed_by_ours = in_base.contains(v, h) && !in_ours.contains(v, h);
        if (!removed_by_ours && emitted.insert(v, h))
            out.push_back(v);
    }
    for (std::size_t i = 0; i < o.size(); ++i) {
        if (!in_base.contains(o[i], ours_hashes[i]) && emitted.insert(o[i], ours_hashes[i]))
            out.push_back(o[i]);
    }
    return out;
}

// Appends "/" + the RFC 6901-escaped key to a pointer buffer and truncates it
// back on destruction. The merge walks every member of large documents but
// needs a member's pointer only when both sides changed it, so pointers are
// built in one reused buffer, and only on that path.
class PointerScope {
  public:
    PointerScope(std::string& pointer, const std::string* key) : p_(pointer), n_(pointer.size()) {
        if (key == nullptr)
            return;
        p_ += '/';
        for (char c : *key) {
            if (c == '~') {
                p_ += "~0";
            } else if (c == '/') {
                p_ += "~1";
            } else {
                p_ += c;
            }
        }
    }
    ~PointerScope() { p_.resize(n_); }
    PointerScope(const PointerScope&) = delete;
    PointerScope& operator=(const PointerScope&) = delete;

  private:
    std::string& p_;
    std::size_t n_;
};

// Walks a sorted object (std::map) alongside another sorted key sequence:
// seek(key) is the member named `key` or nullptr, in amortized O(1) when the
// keys are sought in ascending order (as when iterating another object).
class Cursor {
  public:
    explicit Cursor(const json* obj) {
        if (obj != nullptr && obj->is_object()) {
            const auto& m = obj->get_ref<const json::object_t&>();
            it_ = m.begin();
            end_ = m.end();
        }
    }
    const json* seek(const std::string& key) {
        while (it_ != end_ && it_->first < key)
            ++it_;
        return (it_ != end_ && it_->first == key) ? &it_->second : nullptr;
    }

  private:
    json::object_t::const_iterator it_{};
    json::object_t::const_iterator end_{};
};

class ThreeWay {
  public:
    ThreeWay(const MergeOptions& options, MergeResult& result) : o_(options), r_(result) {}

    // nullopt: the member is absent from the result. Sets r_.ok = false and
    // stops descending on an irreconcilable field. `key` names the member
    // within the object pointer_ points to (nullptr for the root).
    std::optional<json> merge(const json* b, const json* ours, const json* theirs,
                              const std::string* key) {
        if (same(ours, theirs))
            return copy(ours);
        return merge_changed(b, ours, theirs, key);
    }

  private:
    // merge() once ours and theirs are known to differ.
    std::optional<json> merge_changed(const json* b, const json* ours, const json* theirs,
                                      const std::string* key) {
        if (same(b, ours))
            return copy(theirs);
        if (same(b, theirs))
            return copy(ours);
        // Changed on both sides, to different values: now the pointer matters.
        PointerScope scope(pointer_, key);
        if (ours != nullptr && theirs != nullptr) {
            if (ours->is_array() && theirs->is_array() && listed(o_.set_merge_pointers, pointer_)) {
                return merge_as_set(b, *ours, *theirs);
            }
            if (ours->is_object() && theirs->is_object())
                return merge_objects(b, *ours, *theirs);
        }
        return decide(ours, theirs);
    }

    static std::optional<json> copy(const json* v) {
        return v == nullptr ? std::nullopt : std::optional<json>(*v);
    }

    // Members in the order the original definition visits them (theirs'
    // keys, then the keys only ours has; each in key order), so conflicts and
    // lost pointers are reported in a stable order. Both objects are sorted
    // maps, so ours is walked alongside theirs instead of searched, and the
    // result is built by appending at a known position. Base is only looked
    // up for members that differ: most do not, and on large documents
    // walking a third tree costs as much as the merge (cache misses).
    std::optional<json> merge_objects(const json* b, const json& ours, const json& theirs) {
        json out = json::object();
        auto& result = out.get_ref<json::object_t&>();
        const auto& theirs_map = theirs.get_ref<const json::object_t&>();
        const auto& ours_map = ours.get_ref<const json::object_t&>();
        Cursor ours_at(&ours);
        std::size_t ours_seen = 0;
        for (const auto& [key, value] : theirs_map) {
            const json* o = ours_at.seek(key);
            ours_seen += o != nullptr ? 1 : 0;
            auto child = same(o, &value) ? copy(o) : merge_changed(member(b, key), o, &value, &key);
            if (!r_.ok)
                return std::nullopt;
            if (child)
                result.emplace_hint(result.end(), key, std::move(*child));
        }
        if (ours_seen == ours_map.size())
            return out;
        // Keys only ours has (a member both have is never absent from the
        // result, so "not in theirs" is exactly "not visited yet").
        Cursor theirs_at(&theirs);
        auto hint = result.begin();
        for (const auto& [key, value] : ours_map) {
            if (theirs_at.seek(key) != nullptr)
                continue;
            auto child = merge_changed(member(b, key), &value, nullptr, &key);
            if (!r_.ok)
                return std::nullopt;
            if (child) {
                while (hint != result.end() && hint->first < key)
                    ++hint;
                hint = std::next(result.emplace_hint(hint, key, std::move(*child)));
            }
        }
        return out;
    }

    std::optional<json> decide(const json* ours, const json* theirs) {
        const std::string& pointer = pointer_;
        r_.conflicts.push_back(pointer);
        bool ours_wins = true;
        switch (o_.field_rules.rule_for(pointer)) {
            case FieldRule::ours:
                ours_wins = true;
                break;
            case FieldRule::theirs:
                ours_wins = false;
                break;
            case FieldRule::newer_wins:
                ours_wins = o_.newer == Newer::ours || o_.newer == Newer::unknown;
                break;
            case FieldRule::fail:
                r_.ok = false;
                r_.failed_pointer = pointer;
                r_.detail = "field " + (pointer.empty() ? std::string("(root)") : pointer) +
                            " changed on both sides (ours " + describe(ours) + ", theirs " +
                            describe(theirs) + ") and its field rule is fail";
                return std::nullopt;
        }
        if (ours_wins)
            return copy(ours);
        r_.lost.push_back(pointer);
        return copy(theirs);
    }

    const MergeOptions& o_;
    MergeResult& r_;
    std::string pointer_;  // of the object being merged; see PointerScope
};

// overlay(): `pointer` is the pointer of `current`/`update`, built only where
// set-merge pointers can match (arrays) or deeper levels need it (objects).
json overlay_at(const json* current, const json& update, std::string& pointer,
                const std::vector<std::string>& set_pointers, bool patch_semantics) {
    if (update.is_object()) {
        json out = (current != nullptr && current->is_object()) ? *current : json::object();
        for (const auto& [key, value] : update.items()) {
            if (patch_semantics && value.is_null()) {
                out.erase(key);
                continue;
            }
            const json* cur_member = member(current, key);
            if (!value.is_object() && !value.is_array()) {
                out[key] = value;  // a scalar replaces whatever is there
                continue;
            }
            PointerScope scope(pointer, &key);
            out[key] = overlay_at(cur_member, value, pointer, set_pointers, patch_semantics);
        }
        return out;
    }
    if (update.is_array() && current != nullptr && current->is_array() &&
        listed(set_pointers, pointer)) {
        return merge_as_set(nullptr, update, *current);
    }
    return update;
}

}  // namespace

MergeResult three_way_merge(const json& base, const json& ours, const json& theirs,
                            const MergeOptions& options) {
    MergeResult r;
    for (const auto& guard : options.guard_pointers) {
        const json* b = detail::find(base, guard);
        const json* t = detail::find(theirs, guard);
        const json* o = detail::find(ours, guard);
        if (!same(b, t) && !same(o, t)) {
            r.failed_pointer = guard;
            r.detail = "guard field " + guard + " changed (base " + describe(b) + ", current " +
                       describe(t) + ")";
            return r;
        }
    }
    r.ok = true;
    auto merged = ThreeWay(options, r).merge(&base, &ours, &theirs, nullptr);
    if (!r.ok)
        return r;
    r.merged = merged ? std::move(*merged) : json(nullptr);
    return r;
}

json overlay(const json& current, const json& update, const std::vector<std::string>& set_pointers,
             bool patch_semantics) {
    std::string pointer;
    return overlay_at(&current, update, pointer, set_pointers, patch_semantics);
}

json create_merge_patch(const json& from, const json& to) {
    if (!from.is_object() || !to.is_object())
        return to;
    json patch = json::object();
    for (const auto& [key, value] : from.items()) {
        if (!to.contains(key))
            patch[key] = nullptr;
    }
    for (const auto& [key, value] : to.items()) {
        auto it = from.find(key);
        if (it == from.end()) {
            patch[key] = value;
        } else if (*it != value) {
            patch[key] =
                (it->is_object() && value.is_object()) ? create_merge_patch(*it, value) : value;
        }
    }
    return patch;
}

}  // namespace conflictlab::engine
