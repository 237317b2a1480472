// Fuzz target: the fast JSON text paths (common/json_text.hpp) against
// nlohmann::json itself, the behaviour they promise to reproduce exactly.
//
// Input: any bytes, read as JSON text.
// Properties, each compared with nlohmann on the same text:
// - parse_json(text, false) is discarded exactly when nlohmann's is, and
//   otherwise the same document with the same value types (an unsigned 5 is
//   not an integer 5 to us, although nlohmann's == says they are equal);
// - parse_json(text) throws exactly when nlohmann throws, the same exception
//   type with the same message;
// - parse_json_fast accepts only texts nlohmann accepts, with the same result;
// - dump_json(doc) is doc.dump() byte for byte, or throws when dump() throws;
// - release_json leaves null.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "conflictlab/common/json_text.hpp"
#include "fuzz_check.hpp"

using nlohmann::json;

namespace {

// Equal values of equal types all the way down (nlohmann's == compares
// numbers across types).
bool identical(const json& a, const json& b) {
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
        case json::value_t::object: {
            if (a.size() != b.size())
                return false;
            auto ib = b.begin();
            for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
                if (ia.key() != ib.key() || !identical(ia.value(), ib.value()))
                    return false;
            }
            return true;
        }
        case json::value_t::array: {
            if (a.size() != b.size())
                return false;
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (!identical(a[i], b[i]))
                    return false;
            }
            return true;
        }
        case json::value_t::number_float:
            // NaN cannot come out of a parse; bitwise-equal doubles compare equal.
            return a.get<double>() == b.get<double>();
        default:
            return a == b;
    }
}

// The message of the exception `f` throws, or nullopt when it returns.
template <typename F>
std::optional<std::string> thrown_by(F&& f) {
    try {
        f();
        return std::nullopt;
    } catch (const json::exception& e) {
        return std::to_string(e.id) + " " + e.what();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = conflictlab::fuzz::as_text(data, size);

    const json reference = json::parse(text, nullptr, /*allow_exceptions=*/false);
    json fast = conflictlab::parse_json(text, /*allow_exceptions=*/false);
    FUZZ_CHECK(fast.is_discarded() == reference.is_discarded());
    if (!reference.is_discarded())
        FUZZ_CHECK(identical(fast, reference));

    json only_fast;
    if (conflictlab::parse_json_fast(text, only_fast)) {
        FUZZ_CHECK(!reference.is_discarded());
        FUZZ_CHECK(identical(only_fast, reference));
    } else {
        FUZZ_CHECK(only_fast.is_null());  // untouched on decline
    }

    const auto reference_error = thrown_by([&] { (void)json::parse(text); });
    const auto fast_error = thrown_by([&] { (void)conflictlab::parse_json(text); });
    FUZZ_CHECK(reference_error == fast_error);

    if (!reference.is_discarded()) {
        std::string expected;
        const auto dump_error = thrown_by([&] { expected = reference.dump(); });
        std::string got;
        const auto fast_dump_error = thrown_by([&] { got = conflictlab::dump_json(reference); });
        FUZZ_CHECK(dump_error == fast_dump_error);
        FUZZ_CHECK(got == expected);
        conflictlab::release_json(fast);
        FUZZ_CHECK(fast.is_null());
    }
    return 0;
}
