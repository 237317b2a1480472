// JSON shapes of the checker's findings (docs/checker.md "Report JSON"). The
// field names are stable: results files and CI gates read them.

#include "conflictlab/harness/checker.hpp"

namespace conflictlab::harness {

nlohmann::json to_json(const Anomaly& anomaly) {
    return {
        {"kind", anomaly.kind},     {"resource_id", anomaly.resource_id},
        {"op_ids", anomaly.op_ids}, {"versions", anomaly.versions},
        {"detail", anomaly.detail},
    };
}

nlohmann::json to_json(const CheckReport& report) {
    nlohmann::json anomalies = nlohmann::json::array();
    for (const Anomaly& a : report.anomalies)
        anomalies.push_back(to_json(a));
    return {
        {"clean", report.clean()},
        {"ops_checked", report.ops_checked},
        {"acknowledged", report.acknowledged},
        {"rejected", report.rejected},
        {"discarded", report.discarded},
        {"indeterminate", report.indeterminate},
        {"lost_updates", report.lost_updates},
        {"phantom_writes", report.phantom_writes},
        {"linearity_violations", report.linearity_violations},
        {"wrong_discards", report.wrong_discards},
        {"unknown_ops", report.unknown_ops},
        {"server_writes", report.server_writes},
        {"server_writes_dropped", report.server_writes_dropped},
        {"excused_by_deletion", report.excused_by_deletion},
        {"excused_by_foreign", report.excused_by_foreign},
        {"fields_checked", report.fields_checked},
        {"fields_final_newest", report.fields_final_newest},
        {"anomalies_total", report.anomalies_total},
        {"anomalies", std::move(anomalies)},
    };
}

}  // namespace conflictlab::harness
