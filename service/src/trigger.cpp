#include "conflictlab/service/trigger.hpp"

#include <algorithm>
#include <stdexcept>

namespace conflictlab::service {

namespace {

bool listed(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<std::string> string_list(const nlohmann::json& j, const std::string& field) {
    if (!j.is_array())
        throw std::invalid_argument("trigger." + field + ": must be an array of strings");
    std::vector<std::string> out;
    for (const auto& v : j) {
        if (!v.is_string())
            throw std::invalid_argument("trigger." + field + ": must be an array of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

}  // namespace

TriggerDecision evaluate_trigger(const TriggerOptions& options, const WebhookEvent& event) {
    if (listed(options.ignore_statuses, event.status))
        return {false, "status \"" + event.status + "\" is ignored"};
    if (listed(options.ignore_types, event.type))
        return {false, "type \"" + event.type + "\" is ignored"};
    if (!options.process_types.empty() && !listed(options.process_types, event.type))
        return {false, "type \"" + event.type + "\" is not in process_types"};
    return {true, {}};
}

TriggerOptions trigger_options_from_json(const nlohmann::json& j) {
    if (!j.is_object())
        throw std::invalid_argument("trigger: must be a JSON object");
    TriggerOptions o;
    for (const auto& [key, value] : j.items()) {
        if (key == "ignore_statuses")
            o.ignore_statuses = string_list(value, key);
        else if (key == "ignore_types")
            o.ignore_types = string_list(value, key);
        else if (key == "process_types")
            o.process_types = string_list(value, key);
        else
            throw std::invalid_argument("trigger." + key + ": unknown field");
    }
    return o;
}

nlohmann::json to_json(const TriggerOptions& o) {
    return {{"ignore_statuses", o.ignore_statuses},
            {"ignore_types", o.ignore_types},
            {"process_types", o.process_types}};
}

}  // namespace conflictlab::service
