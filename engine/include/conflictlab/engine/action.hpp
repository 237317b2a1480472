#pragma once
// Action: what a Resolution asks its driver to do next. Actions are commands;
// the driver performs them and reports the resulting fact back.
//
//   SendRequest -> perform it, then on_response() or on_transport_error()
//   Sleep       -> wait `delay` (real or virtual time), then on_timer()
//   Done        -> finished; the outcome is final
//
// Thread-safety: values.

#include <chrono>
#include <variant>

#include "conflictlab/engine/messages.hpp"
#include "conflictlab/engine/outcome.hpp"

namespace conflictlab::engine {

struct Sleep {
    std::chrono::milliseconds delay{0};  // > 0; a zero delay is never requested
};

struct Done {
    Outcome outcome;
};

using Action = std::variant<SendRequest, Sleep, Done>;

}  // namespace conflictlab::engine
