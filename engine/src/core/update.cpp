#include "conflictlab/engine/update.hpp"

#include <stdexcept>

namespace conflictlab::engine {

void validate(const Update& update) {
    if (update.resource_id.empty()) {
        throw std::invalid_argument("update.resource_id: must not be empty");
    }
    if (update.method == WriteMethod::patch && !update.payload.is_object()) {
        throw std::invalid_argument(
            "update.payload: a PATCH payload must be a JSON object (RFC 7396 merge patch)");
    }
    if (update.create_only && update.base_token) {
        throw std::invalid_argument(
            "update.create_only: not together with update.base_token (a token names an existing "
            "version; create_only says there is none)");
    }
    if (update.base_body && update.base_body->is_discarded()) {
        throw std::invalid_argument("update.base_body: not a JSON value");
    }
    if (update.payload.is_discarded()) {
        throw std::invalid_argument("update.payload: not a JSON value");
    }
}

}  // namespace conflictlab::engine
