#include "fault_application.hpp"

#include "http_util.hpp"
#include "resource_handler.hpp"

namespace conflictlab::mock {

namespace {

using nlohmann::json;

constexpr std::string_view kForeignWriter = "foreign";

// Server-side writes carry no op id (no client op made them: the checker
// counts them as foreign) and name the rule instead.
std::string_view fault_rule_of(const FaultDecision& decision) {
    return decision.fired_rules.empty() ? std::string_view("(unnamed)")
                                        : std::string_view(decision.fired_rules.front());
}

void delete_resource(CoreContext& ctx, const FaultDecision& decision, std::string_view id) {
    auto decide = [&](const VersionPtr& current) -> VersionPtr {
        if (!current || current->deleted) {
            return nullptr;
        }
        return make_tombstone(current, ctx.clock.wall_now(), ctx.clock.steady_now());
    };
    ctx.store.write(id,
                    {.method = "DELETE",
                     .writer_id = kForeignWriter,
                     .op_id = {},
                     .fault_rule = fault_rule_of(decision)},
                    decide);
}

void foreign_write(CoreContext& ctx, const FaultDecision& decision, std::string_view id,
                   const json& patch) {
    auto decide = [&](const VersionPtr& current) -> VersionPtr {
        if (!current || current->deleted) {
            return nullptr;
        }
        json body = current->body;
        body.merge_patch(patch);
        if (!body.is_object()) {
            return nullptr;
        }
        std::string token = ctx.etags.next(id, current->version + 1);
        std::string error;
        if (ctx.options.dialect == Dialect::body_version &&
            !ctx.version_pointer.put(body, token, error)) {
            return nullptr;
        }
        return make_next_version(current, std::move(body), std::move(token), ctx.clock.wall_now(),
                                 ctx.clock.steady_now());
    };
    ctx.store.write(id,
                    {.method = "PATCH",
                     .writer_id = kForeignWriter,
                     .op_id = {},
                     .fault_rule = fault_rule_of(decision)},
                    decide);
}

Response injected_response(const CoreContext& ctx, const ResourceCall& call,
                           const FaultDecision& decision) {
    const int status = *decision.status;
    Response r;
    if (decision.body) {
        r = json_response(status,
                          decision.body->dump(-1, ' ', false, json::error_handler_t::replace));
    } else {
        json extra = json::object();
        if (!call.id.empty()) {
            if (const VersionPtr current = ctx.store.get(call.id); current && current->live()) {
                extra["current_etag"] = ctx.etags.format(current->etag);
            }
        }
        std::string rules;
        for (const auto& name : decision.fired_rules) {
            rules += (rules.empty() ? "" : ", ") + name;
        }
        r = make_problem(status, "urn:conflictlab:problem:injected-fault",
                         "injected by fault rule " + (rules.empty() ? "(unnamed)" : rules),
                         call.path, extra);
    }
    if (decision.retry_after) {
        r.headers.add("Retry-After", *decision.retry_after);
    } else if (decision.retry_after_date_in) {
        // The injector knows only steady time; the date is formatted here.
        r.headers.add("Retry-After",
                      format_http_date(ctx.clock.wall_now() + *decision.retry_after_date_in));
    }
    return r;
}

}  // namespace

void apply_fault_effects(CoreContext& ctx, const FaultDecision& decision, std::string_view id) {
    if (decision.switch_etag_style) {
        ctx.etags.set_style(*decision.switch_etag_style);
    }
    if (decision.switch_etag_scheme) {
        ctx.etags.set_scheme(*decision.switch_etag_scheme);
    }
    if (id.empty()) {
        return;
    }
    if (decision.foreign_write_merge_patch) {
        foreign_write(ctx, decision, id, *decision.foreign_write_merge_patch);
    }
    if (decision.delete_resource) {
        delete_resource(ctx, decision, id);
    }
}

Handled handle_with_faults(CoreContext& ctx, const ResourceCall& call,
                           const FaultDecision& decision) {
    apply_fault_effects(ctx, decision, call.id);
    Handled handled;
    if (decision.status) {
        handled.response = injected_response(ctx, call, decision);
    } else if (call.id.empty()) {
        handled = handle_collection(ctx, call);
    } else {
        handled = handle_item(ctx, call);
    }
    handled.response.delay = decision.delay;
    handled.response.fate = decision.fate;
    return handled;
}

}  // namespace conflictlab::mock
