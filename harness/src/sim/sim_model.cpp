// parse_sim_model: the scenario's `sim` object, read with the scenario
// parser's FieldReader so its errors look like every other scenario error
// ("<source>: sim.network.delay_ms.sd: must be between 0 and 60000 (got -1)").
#include "conflictlab/harness/sim/sim_model.hpp"

#include <cmath>
#include <numbers>

#include "../scenario/field_reader.hpp"

namespace conflictlab::harness::sim {

namespace {

using detail::FieldReader;
using nlohmann::json;

constexpr double kMaxDelayMs = 60'000.0;
constexpr int kMaxConcurrency = 1'000'000;
constexpr std::int64_t kMaxHangLimitMs = 3'600'000;
constexpr std::int64_t kMaxEvents = 100'000'000'000;
constexpr double kMaxVirtualS = 365.0 * 24 * 3600;

DelayDistribution read_delay(const json& j, const std::string& path, std::string_view source,
                             DelayDistribution d) {
    FieldReader r(j, path, source);
    r.allow({"mean", "sd"});
    r.read_double("mean", d.mean_ms, 0.0, kMaxDelayMs);
    r.read_double("sd", d.sd_ms, 0.0, kMaxDelayMs);
    r.finish();
    return d;
}

json delay_json(const DelayDistribution& d) {
    return {{"mean", d.mean_ms}, {"sd", d.sd_ms}};
}

}  // namespace

SimModel parse_sim_model(const json& sim, std::string_view source) {
    SimModel m;
    FieldReader r(sim, "sim", source);
    r.allow({"network", "server", "limits"});
    if (const json* network = r.get("network")) {
        FieldReader n(*network, "sim.network", source);
        n.allow({"delay_ms"});
        if (const json* d = n.get("delay_ms"))
            m.network.delay = read_delay(*d, "sim.network.delay_ms", source, m.network.delay);
        n.finish();
    }
    if (const json* server = r.get("server")) {
        FieldReader s(*server, "sim.server", source);
        s.allow({"service_ms", "serialize_writes", "concurrency_limit", "hang_limit_ms"});
        if (const json* d = s.get("service_ms"))
            m.server.service = read_delay(*d, "sim.server.service_ms", source, m.server.service);
        s.read_bool("serialize_writes", m.server.serialize_writes);
        s.read_int("concurrency_limit", m.server.concurrency_limit, 0, kMaxConcurrency);
        s.read_int("hang_limit_ms", m.server.hang_limit_ms, 1, kMaxHangLimitMs);
        s.finish();
    }
    if (const json* limits = r.get("limits")) {
        FieldReader l(*limits, "sim.limits", source);
        l.allow({"max_events", "max_virtual_s"});
        std::int64_t events = static_cast<std::int64_t>(m.limits.max_events);
        l.read_int("max_events", events, 1, kMaxEvents);
        m.limits.max_events = static_cast<std::uint64_t>(events);
        l.read_double("max_virtual_s", m.limits.max_virtual_s, 0.0, kMaxVirtualS, true);
        l.finish();
    }
    r.finish();
    return m;
}

json to_json(const SimModel& m) {
    return {{"network", {{"delay_ms", delay_json(m.network.delay)}}},
            {"server",
             {{"service_ms", delay_json(m.server.service)},
              {"serialize_writes", m.server.serialize_writes},
              {"concurrency_limit", m.server.concurrency_limit},
              {"hang_limit_ms", m.server.hang_limit_ms}}},
            {"limits",
             {{"max_events", m.limits.max_events}, {"max_virtual_s", m.limits.max_virtual_s}}}};
}

std::int64_t sample_delay_ns(const DelayDistribution& d, engine::RandomSource& random) {
    double ms = d.mean_ms;
    if (d.sd_ms > 0.0) {
        // Box-Muller, written out (std::normal_distribution's algorithm is
        // implementation-defined; ours must replay identically).
        const double u1 = 1.0 - random.uniform01();  // (0, 1]: log is finite
        const double u2 = random.uniform01();
        const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
        ms = std::fabs(d.mean_ms + d.sd_ms * z);
    }
    return std::llround(ms * 1e6);
}

}  // namespace conflictlab::harness::sim
