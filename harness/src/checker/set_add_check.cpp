// set-add and blind: every element of an acknowledged op is in the final
// /items array (else lost-update); no element of a rejected op is (else
// phantom-write). Discarded and indeterminate elements may be either way.

#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "check_context.hpp"

namespace conflictlab::harness::checker_detail {

namespace {

std::unordered_set<std::string_view> final_elements(const ResourceFacts& r) {
    std::unordered_set<std::string_view> present;
    const nlohmann::json* body = r.final_body();
    if (body == nullptr || !body->is_object())
        return present;
    const auto items = body->find("items");
    if (items == body->end() || !items->is_array())
        return present;
    present.reserve(items->size());
    for (const auto& item : *items) {
        if (item.is_string())
            present.insert(item.get_ref<const std::string&>());
    }
    return present;
}

std::vector<std::string> versions_of(std::string_view written, const ServerResource& server) {
    std::vector<std::string> versions;
    if (!written.empty())
        versions.emplace_back(written);
    if (!server.final_etag.empty() && written != server.final_etag) {
        versions.push_back(server.final_etag);
    }
    return versions;
}

std::string where_written(std::string_view written) {
    return written.empty() ? std::string("the server recorded no write of this op")
                           : "this op wrote version \"" + std::string(written) + "\"";
}

std::string final_state(const ServerResource& server) {
    if (!server.final_body) {
        return server.deleted ? "the resource is deleted" : "the resource has no final state";
    }
    return "final version \"" + server.final_etag + "\"";
}

}  // namespace

void check_set_add(CheckContext& c, const ResourceFacts& r) {
    const auto present = final_elements(r);
    std::unordered_map<std::string_view, std::uint32_t> adder;  // element -> op
    adder.reserve(r.ops.size());
    for (const std::uint32_t i : r.ops) {
        const OpRecord& op = c.op(i);
        const OpFacts& facts = c.ops[i];
        const std::string& element = op.intent.element;
        if (const auto [it, inserted] = adder.emplace(element, i); !inserted) {
            throw std::invalid_argument("ops[" + std::to_string(i) +
                                        "].intent.element: duplicate \"" + element +
                                        "\" on resource \"" + op.resource_id + "\" (also ops[" +
                                        std::to_string(it->second) + "])");
        }
        const bool in_final = present.contains(element);
        if (facts.required && !in_final) {
            c.sink.report(kLostUpdate, r.id, op.op_id, [&] {
                const std::string_view written = c.written_etag(i, r);
                return Anomaly{std::string(kLostUpdate),
                               std::string(r.id),
                               {op.op_id},
                               versions_of(written, *r.server),
                               "element \"" + element + "\" of acknowledged op \"" + op.op_id +
                                   "\" is missing (" + where_written(written) + "; " +
                                   final_state(*r.server) + ")"};
            });
        }
        if (facts.ack == Acknowledgement::rejected && in_final) {
            c.sink.report(kPhantomWrite, r.id, op.op_id, [&] {
                const std::string_view written = c.written_etag(i, r);
                return Anomaly{std::string(kPhantomWrite),
                               std::string(r.id),
                               {op.op_id},
                               versions_of(written, *r.server),
                               "element \"" + element + "\" of rejected op \"" + op.op_id +
                                   "\" (failed: " +
                                   std::string(engine::failure_reason_name(op.outcome.reason)) +
                                   ") is in " + final_state(*r.server)};
            });
        }
    }
}

}  // namespace conflictlab::harness::checker_detail
