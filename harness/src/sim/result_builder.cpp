#include "result_builder.hpp"

#include "../run/run_steps.hpp"

namespace conflictlab::harness::sim::detail {

void finish_result(RunResult& r, const Scenario& scenario, const History& history,
                   std::size_t anomaly_limit) {
    run_detail::add_op_metrics(r, scenario, history.ops);
    run_detail::check_and_gate(r, scenario, history, anomaly_limit);
}

}  // namespace conflictlab::harness::sim::detail
