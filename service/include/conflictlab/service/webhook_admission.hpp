#pragma once
// The checks every POST /webhook passes before anything is stored, shared by
// the embedded service (service.hpp) and the scaled-out one
// (queued_service.hpp): signature (when a secret is set), parsing and
// validation, trigger conditions. The answer for a refused webhook (401, 400,
// 204) is built here so both services answer alike.
//
// Thread-safety: a pure function.

#include <optional>
#include <string>
#include <string_view>

#include "conflictlab/service/event.hpp"
#include "conflictlab/service/http_types.hpp"
#include "conflictlab/service/trigger.hpp"

namespace conflictlab::service {

enum class Admission { admitted, bad_signature, invalid, ignored };

struct AdmissionResult {
    Admission result = Admission::admitted;
    WebhookEvent event;     // when admitted
    HttpResponse response;  // the answer when not admitted
};

// `secret` empty: signatures are not checked.
AdmissionResult admit_webhook(const HttpRequest& request, std::string_view secret,
                              const std::string& signature_header, const TriggerOptions& trigger);

}  // namespace conflictlab::service
