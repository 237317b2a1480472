#include "conflictlab/mock/faults/path_glob.hpp"

#include <cstddef>

namespace conflictlab::mock {

namespace {

// Outcomes of matching a pattern suffix against a text suffix. The two abort
// values are what keeps backtracking polynomial (rsync's wildmatch): they tell
// the enclosing wildcard loops that trying later start positions is useless.
enum class Outcome {
    match,
    no_match,
    abort_to_double_star,  // a `*` ran into '/': only an enclosing `**` may go on
    abort_all,             // the text ran out: no enclosing wildcard can help
};

Outcome match_from(std::string_view p, std::size_t pi, std::string_view t, std::size_t ti) {
    while (pi < p.size()) {
        if (p[pi] == '*') {
            std::size_t next = pi;
            while (next < p.size() && p[next] == '*') {
                ++next;
            }
            const bool crosses = next - pi >= 2;  // `**` (longer runs read as `**`)
            if (next == p.size()) {
                if (crosses || t.find('/', ti) == std::string_view::npos) {
                    return Outcome::match;
                }
                return Outcome::abort_to_double_star;
            }
            for (std::size_t k = ti;; ++k) {
                const Outcome r = match_from(p, next, t, k);
                if (r != Outcome::no_match && (!crosses || r != Outcome::abort_to_double_star)) {
                    return r;
                }
                if (k == t.size()) {
                    return Outcome::abort_all;
                }
                if (!crosses && t[k] == '/') {
                    return Outcome::abort_to_double_star;
                }
            }
        }
        if (ti == t.size()) {
            return Outcome::abort_all;
        }
        if (p[pi] == '?' ? t[ti] == '/' : p[pi] != t[ti]) {
            return Outcome::no_match;
        }
        ++pi;
        ++ti;
    }
    return ti == t.size() ? Outcome::match : Outcome::no_match;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
    if (const auto q = text.find('?'); q != std::string_view::npos) {
        text = text.substr(0, q);
    }
    return match_from(pattern, 0, text, 0) == Outcome::match;
}

}  // namespace conflictlab::mock
