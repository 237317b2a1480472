#include "conflictlab/service/webhook_admission.hpp"

#include "conflictlab/service/signature.hpp"

namespace conflictlab::service {

AdmissionResult admit_webhook(const HttpRequest& request, std::string_view secret,
                              const std::string& signature_header, const TriggerOptions& trigger) {
    AdmissionResult a;
    if (!secret.empty()) {
        const auto header = request.headers.get(signature_header);
        const auto check =
            verify_signature(secret, request.body, header ? *header : std::string_view{});
        if (check != SignatureCheck::valid) {
            a.result = Admission::bad_signature;
            a.response = problem_response(401, "bad-signature", "Unauthorized",
                                          signature_header + ": " +
                                              std::string(signature_check_name(check)) +
                                              " (expected sha256=<hex HMAC-SHA256 of the body>)");
            return a;
        }
    }
    try {
        a.event = parse_event(request.body);
    } catch (const EventError& e) {
        a.result = Admission::invalid;
        a.response = problem_response(400, "invalid-event", "Bad Request", e.what());
        return a;
    }
    const TriggerDecision decision = evaluate_trigger(trigger, a.event);
    if (!decision.process) {
        a.result = Admission::ignored;
        a.response.status = 204;
        a.response.headers.set("X-Conflictlab-Ignored", decision.reason);
    }
    return a;
}

}  // namespace conflictlab::service
