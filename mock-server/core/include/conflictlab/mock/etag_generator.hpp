#pragma once
// EtagGenerator: issues the opaque part of new entity tags and formats stored
// tokens for the wire.
//
// Tokens never repeat within one generator's lifetime, whatever the scheme
// and however often it is switched: every token is derived from a global
// sequence number through a bijection (so distinct numbers give distinct
// tokens), and the three schemes produce disjoint shapes:
//   counter  "42"                                   (decimal sequence number)
//   hash     "9f2c...e1" (32 hex digits)            (content-like: id, version,
//                                                    server epoch + sequence)
//   uuid     "3b0c...-4...-8...-..." (RFC 4122 v4 shape, from the seed)
// Tokens are stored bare; the style (strong "x", weak W/"x", unquoted x) only
// changes how `format` writes them, so a token stays matchable after a style
// or scheme switch for as long as it is current.
//
// Thread-safety: all members may be called concurrently; style and scheme
// switch atomically.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "conflictlab/common/etag.hpp"
#include "conflictlab/mock/faults/fault_decision.hpp"

namespace conflictlab::mock {

class EtagGenerator {
  public:
    EtagGenerator(EtagStyle style, EtagScheme scheme, std::uint64_t seed);

    // A fresh token for version `version` of resource `id`, in the current scheme.
    std::string next(std::string_view id, std::uint64_t version);

    // `token` written in the current style (`"t"`, `W/"t"` or `t`).
    std::string format(std::string_view token) const;

    EtagStyle style() const noexcept { return style_.load(std::memory_order_relaxed); }
    EtagScheme scheme() const noexcept { return scheme_.load(std::memory_order_relaxed); }
    void set_style(EtagStyle style) noexcept { style_.store(style, std::memory_order_relaxed); }
    void set_scheme(EtagScheme scheme) noexcept {
        scheme_.store(scheme, std::memory_order_relaxed);
    }

  private:
    std::atomic<std::uint64_t> sequence_{0};
    std::atomic<EtagStyle> style_;
    std::atomic<EtagScheme> scheme_;
    std::uint64_t seed_;
    std::uint64_t epoch_;  // per-generator salt mixed into hash tokens
};

// "strong" | "weak" | "unquoted"; "counter" | "hash" | "uuid".
std::string_view etag_style_name(EtagStyle style) noexcept;
std::string_view etag_scheme_name(EtagScheme scheme) noexcept;
// nullopt for an unknown name.
std::optional<EtagStyle> etag_style_from_name(std::string_view name) noexcept;
std::optional<EtagScheme> etag_scheme_from_name(std::string_view name) noexcept;

}  // namespace conflictlab::mock
