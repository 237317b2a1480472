#include "conflictlab/engine/merge.hpp"

#include <algorithm>
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

class ThreeWay {
  public:
    ThreeWay(const MergeOptions& options, MergeResult& result) : o_(options), r_(result) {}

    // nullopt: the member is absent from the result. Sets r_.ok = false and
    // stops descending on an irreconcilable field.
    std::optional<json> merge(const json* b, const json* ours, const json* theirs,
                              const std::string& pointer) {
        if (same(ours, theirs))
            return copy(ours);
        if (same(b, ours))
            return copy(theirs);
        if (same(b, theirs))
            return copy(ours);
        // Changed on both sides, to different values.
        if (ours != nullptr && theirs != nullptr) {
            if (ours->is_array() && theirs->is_array() && listed(o_.set_merge_pointers, pointer)) {
                return merge_as_set(b, *ours, *theirs);
            }
            if (ours->is_object() && theirs->is_object())
                return merge_objects(b, *ours, *theirs, pointer);
        }
        return decide(ours, theirs, pointer);
    }

  private:
    static std::optional<json> copy(const json* v) {
        return v == nullptr ? std::nullopt : std::optional<json>(*v);
    }

    std::optional<json> merge_objects(const json* b, const json& ours, const json& theirs,
                                      const std::string& pointer) {
        static const json kEmpty = json::object();
        const json* base = (b != nullptr && b->is_object()) ? b : &kEmpty;
        json out = json::object();
        auto visit = [&](const std::string& key) -> bool {
            if (out.contains(key))
                return true;
            auto child = merge(member(base, key), member(&ours, key), member(&theirs, key),
                               detail::child_pointer(pointer, key));
            if (!r_.ok)
                return false;
            if (child)
                out[key] = std::move(*child);
            return true;
        };
        // Keys present only in base were removed on both sides: visiting them
        // is not needed, they simply stay absent.
        for (const auto& item : theirs.items()) {
            if (!visit(item.key()))
                return std::nullopt;
        }
        for (const auto& item : ours.items()) {
            if (!visit(item.key()))
                return std::nullopt;
        }
        return out;
    }

    std::optional<json> decide(const json* ours, const json* theirs, const std::string& pointer) {
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
};

json overlay_at(const json* current, const json& update, const std::string& pointer,
                const std::vector<std::string>& set_pointers, bool patch_semantics) {
    if (update.is_object()) {
        json out = (current != nullptr && current->is_object()) ? *current : json::object();
        for (const auto& [key, value] : update.items()) {
            if (patch_semantics && value.is_null()) {
                out.erase(key);
                continue;
            }
            out[key] = overlay_at(member(current, key), value, detail::child_pointer(pointer, key),
                                  set_pointers, patch_semantics);
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
    auto merged = ThreeWay(options, r).merge(&base, &ours, &theirs, "");
    if (!r.ok)
        return r;
    r.merged = merged ? std::move(*merged) : json(nullptr);
    return r;
}

json overlay(const json& current, const json& update, const std::vector<std::string>& set_pointers,
             bool patch_semantics) {
    return overlay_at(&current, update, "", set_pointers, patch_semantics);
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
