#include "conflictlab/engine/merge.hpp"

#include <algorithm>
#include <iterator>
#include <set>

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

// theirs - removed(base -> ours) + added(base -> ours), without duplicates.
json merge_as_set(const json* base, const json& ours, const json& theirs) {
    static const json kEmpty = json::array();
    const json& b = (base != nullptr && base->is_array()) ? *base : kEmpty;
    std::set<json> in_base(b.begin(), b.end());
    std::set<json> in_ours(ours.begin(), ours.end());
    std::set<json> emitted;
    json out = json::array();
    for (const auto& v : theirs) {
        bool removed_by_ours = in_base.count(v) && !in_ours.count(v);
        if (!removed_by_ours && emitted.insert(v).second)
            out.push_back(v);
    }
    for (const auto& v : ours) {
        if (!in_base.count(v) && emitted.insert(v).second)
            out.push_back(v);
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
