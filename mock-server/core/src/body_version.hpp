#pragma once
// The body-version dialect's token: a string inside the JSON body at a
// configured JSON pointer (RFC 6901), e.g. "/_rev" (CouchDB) or
// "/metadata/resourceVersion" (Kubernetes). The server writes the current
// token there on every accepted write; an update must carry it unchanged.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace conflictlab::mock {

class VersionPointer {
  public:
    // REQUIRES: `pointer` is a valid, non-empty JSON pointer (CoreOptions checks).
    explicit VersionPointer(std::string_view pointer);

    const std::string& text() const noexcept { return text_; }

    // The value at the pointer, or nullptr when any step is missing.
    const nlohmann::json* find(const nlohmann::json& body) const noexcept;

    // Sets the value at the pointer to `token`, creating missing objects on
    // the way. Returns false with `error` set when a step is not an object
    // (or an array with that index), leaving `body` unchanged.
    bool put(nlohmann::json& body, const std::string& token, std::string& error) const;

    // Whether a merge patch (RFC 7396) sets a non-null value at the pointer.
    bool named_by_merge_patch(const nlohmann::json& patch) const noexcept;
    // Whether a JSON Patch (RFC 6902) has an operation whose path is the pointer.
    bool named_by_json_patch(const nlohmann::json& patch) const noexcept;

  private:
    std::string text_;
    std::vector<std::string> tokens_;  // unescaped reference tokens
};

}  // namespace conflictlab::mock
