#include "conflictlab/engine/messages.hpp"

#include "conflictlab/engine/update.hpp"
#include "core/names.hpp"

namespace conflictlab::engine {

namespace {

constexpr detail::NameTable<RequestPurpose, 3> kPurposeNames = {
    {RequestPurpose::write, "write"},
    {RequestPurpose::fetch, "fetch"},
    {RequestPurpose::verify, "verify"},
};

constexpr detail::NameTable<TransportErrorKind, 5> kTransportNames = {
    {TransportErrorKind::connect, "connect"},   {TransportErrorKind::reset, "reset"},
    {TransportErrorKind::timeout, "timeout"},   {TransportErrorKind::tls, "tls"},
    {TransportErrorKind::protocol, "protocol"},
};

constexpr detail::NameTable<WriteMethod, 2> kMethodNames = {
    {WriteMethod::put, "PUT"},
    {WriteMethod::patch, "PATCH"},
};

}  // namespace

std::string_view request_purpose_name(RequestPurpose purpose) noexcept {
    return detail::name_of(kPurposeNames, purpose);
}

std::string_view transport_error_kind_name(TransportErrorKind kind) noexcept {
    return detail::name_of(kTransportNames, kind);
}

std::string_view write_method_name(WriteMethod method) noexcept {
    return detail::name_of(kMethodNames, method);
}

}  // namespace conflictlab::engine
