#include "anomaly_sink.hpp"

#include <algorithm>
#include <tuple>

namespace conflictlab::harness::checker_detail {

namespace {
std::string_view first_op(const Anomaly& a) {
    return a.op_ids.empty() ? std::string_view{} : std::string_view{a.op_ids.front()};
}
}  // namespace

bool anomaly_less(const Anomaly& a, const Anomaly& b) {
    using Key = std::tuple<std::string_view, std::string_view, std::string_view,
                           const std::vector<std::string>&, const std::vector<std::string>&,
                           std::string_view>;
    const auto key = [](const Anomaly& x) {
        return Key{x.resource_id, x.kind, first_op(x), x.op_ids, x.versions, x.detail};
    };
    return key(a) < key(b);
}

void AnomalySink::count(std::string_view kind) {
    ++report_.anomalies_total;
    if (kind == kLostUpdate) {
        ++report_.lost_updates;
    } else if (kind == kPhantomWrite) {
        ++report_.phantom_writes;
    } else if (kind == kLinearHistory) {
        ++report_.linearity_violations;
    } else if (kind == kWrongDiscard) {
        ++report_.wrong_discards;
    } else if (kind == kUnknownOp) {
        ++report_.unknown_ops;
    }
}

bool AnomalySink::wanted(std::string_view resource_id, std::string_view kind,
                         std::string_view first_op_id) const {
    if (limit_ == 0)
        return false;
    if (heap_.size() < limit_)
        return true;
    const Anomaly& largest = heap_.front();
    // Equal prefixes need the full comparison, so they are built.
    return std::tie(resource_id, kind, first_op_id) <=
           std::make_tuple(std::string_view{largest.resource_id}, std::string_view{largest.kind},
                           first_op(largest));
}

void AnomalySink::keep(Anomaly anomaly) {
    if (heap_.size() < limit_) {
        heap_.push_back(std::move(anomaly));
        std::push_heap(heap_.begin(), heap_.end(), anomaly_less);
        return;
    }
    if (!anomaly_less(anomaly, heap_.front()))
        return;
    std::pop_heap(heap_.begin(), heap_.end(), anomaly_less);
    heap_.back() = std::move(anomaly);
    std::push_heap(heap_.begin(), heap_.end(), anomaly_less);
}

std::vector<Anomaly> AnomalySink::take_sorted() {
    std::sort_heap(heap_.begin(), heap_.end(), anomaly_less);
    return std::exchange(heap_, {});
}

}  // namespace conflictlab::harness::checker_detail
