#include "conflictlab/service/resource_scheduler.hpp"

#include <stdexcept>

namespace conflictlab::service {

ResourceScheduler::ResourceScheduler(std::size_t active_resources_max)
    : active_max_(active_resources_max) {
    if (active_max_ < 1)
        throw std::invalid_argument("active_resources_max: must be at least 1");
}

void ResourceScheduler::push(Job job) {
    auto [it, inserted] = lanes_.try_emplace(job.resource_id);
    Lane& lane = it->second;
    const bool becomes_ready = !lane.running && lane.jobs.empty();
    lane.jobs.push_back(std::move(job));
    ++queued_;
    if (becomes_ready)
        ready_.push_back(it->first);
}

std::optional<Job> ResourceScheduler::next() {
    if (running_ >= active_max_ || ready_.empty())
        return std::nullopt;
    auto it = lanes_.find(ready_.front());
    ready_.pop_front();
    Lane& lane = it->second;
    Job job = std::move(lane.jobs.front());
    lane.jobs.pop_front();
    lane.running = true;
    --queued_;
    ++running_;
    return job;
}

void ResourceScheduler::complete(std::string_view resource_id) {
    auto it = lanes_.find(std::string(resource_id));
    if (it == lanes_.end() || !it->second.running)
        throw std::logic_error("ResourceScheduler::complete: resource is not running");
    it->second.running = false;
    --running_;
    if (it->second.jobs.empty())
        lanes_.erase(it);
    else
        ready_.push_back(it->first);
}

bool ResourceScheduler::is_running(std::string_view resource_id) const {
    auto it = lanes_.find(std::string(resource_id));
    return it != lanes_.end() && it->second.running;
}

}  // namespace conflictlab::service
