#pragma once
// The admin API under /_admin/ (reset, faults, stats, history, alerts,
// etag-style, config) and the /metrics exposition. docs/mock-server.md
// documents each endpoint.

#include <string>
#include <string_view>

#include "core_context.hpp"

namespace conflictlab::mock {

// REQUIRES: path starts with "/_admin/"; authorization already checked.
Handled handle_admin(CoreContext& ctx, const Request& request, std::string_view path,
                     std::string_view query);

// Prometheus text exposition format 0.0.4.
std::string render_metrics(const CoreContext& ctx);

}  // namespace conflictlab::mock
