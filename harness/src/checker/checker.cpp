// check_history: index once, then run the checks that apply per resource.
// Every check is linear in the ops and writes of its resource (hash maps and
// sorts, no pairwise scans), so a million ops check in about a second.

#include "conflictlab/harness/checker.hpp"

#include "check_context.hpp"

namespace conflictlab::harness {

CheckReport check_history(const History& history, const CheckOptions& options) {
    using namespace checker_detail;
    CheckReport report;
    AnomalySink sink(options.anomaly_limit, report);
    CheckContext context{.history = history, .report = report, .sink = sink};
    index_history(context);
    for (const ResourceFacts& resource : context.resources) {
        check_linear_history(resource, sink);
        if (resource.ops.empty())
            continue;
        switch (history.kind) {
            case WorkloadKind::set_add:
            case WorkloadKind::blind:
                check_set_add(context, resource);
                break;
            case WorkloadKind::register_lww:
            case WorkloadKind::disjoint_fields:
            case WorkloadKind::overlapping_fields:
                check_fields(context, resource);
                break;
        }
    }
    report.anomalies = sink.take_sorted();
    return report;
}

}  // namespace conflictlab::harness
