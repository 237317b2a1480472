// FaultInjector: evaluation of the installed rules against one request.
//
// Theory of operation. The installed rules are an immutable Snapshot published
// through an atomic pointer and protected by an epoch-based read guard (see
// ReadGuard and publish); its per-rule counters are the only mutable part and
// are guarded by mu_, together with the generator. evaluate() runs in three
// steps:
//   1. without the lock: which rules match this request and are past their
//      `after_s` (the "hits"); no hit -> no decision, no lock taken;
//   2. under the lock: if the snapshot was replaced meanwhile, recompute the
//      hits against the new one (so the decision belongs to the rules in
//      force); then, per hit in order, count it, test the counting triggers,
//      draw for `probability`, and draw the delay of a firing rule;
//   3. without the lock: compose the fired rules' actions into the decision
//      (copies of names, bodies and patches happen here).

#include "conflictlab/mock/faults/fault_injector.hpp"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

#include "conflictlab/mock/faults/path_glob.hpp"

namespace conflictlab::mock {

namespace {

using Hits = std::bitset<fault_rules_max>;

bool matches(const RuleMatch& m, const RequestFacts& f) noexcept {
    if (!m.methods.empty() &&
        std::find(m.methods.begin(), m.methods.end(), f.method) == m.methods.end()) {
        return false;
    }
    if (m.resource && f.resource_id != *m.resource) {
        return false;
    }
    if (m.path && !glob_match(*m.path, f.path)) {
        return false;
    }
    if (m.header) {
        const auto& fields = f.headers.fields();
        return std::any_of(fields.begin(), fields.end(), [&](const HeaderFields::Field& field) {
            return iequals(field.first, m.header->name) &&
                   (!m.header->value || field.second == *m.header->value);
        });
    }
    return true;
}

// One delay sample in whole milliseconds, clamped to [0, fault_delay_ms_max].
std::int64_t sample_delay_ms(const DelaySpec& spec, SeededRandom& random) {
    const double ms = std::visit(
        [&](const auto& s) -> double {
            using T = std::decay_t<decltype(s)>;
            if constexpr (std::is_same_v<T, FixedDelay>) {
                return s.ms;
            } else if constexpr (std::is_same_v<T, UniformDelay>) {
                return random.uniform(s.min_ms, s.max_ms);
            } else if constexpr (std::is_same_v<T, NormalDelay>) {
                return s.mean_ms + s.stddev_ms * random.standard_normal();
            } else {
                return s.median_ms * std::exp(s.sigma * random.standard_normal());
            }
        },
        spec);
    const auto cap = static_cast<double>(fault_delay_ms_max);
    if (!(ms > 0)) {  // also NaN
        return 0;
    }
    return std::llround(std::min(ms, cap));
}

}  // namespace

struct FaultInjector::Snapshot {
    struct Counters {
        std::uint64_t matched = 0;  // requests counted (matched and past after_s)
        std::uint64_t fired = 0;
    };

    FaultRuleSet set;  // set.seed: the seed in force when installed
    std::vector<std::optional<SteadyTime>> active_from;  // per rule; nullopt = no after_s
    mutable std::vector<Counters> counters;              // guarded by FaultInjector::mu_

    Hits hits(const RequestFacts& facts, SteadyTime now) const noexcept {
        Hits h;
        for (std::size_t i = 0; i < set.rules.size(); ++i) {
            if ((!active_from[i] || now >= *active_from[i]) && matches(set.rules[i].match, facts)) {
                h.set(i);
            }
        }
        return h;
    }
};

// Registers the calling thread as a reader of the snapshot current at entry
// (and of any installed while it is registered) until destruction. Lock-free:
// it retries only when a writer bumps the epoch between its two reads.
class FaultInjector::ReadGuard {
  public:
    explicit ReadGuard(const FaultInjector& inj) : inj_(inj) {
        for (;;) {
            const std::uint64_t e = inj_.epoch_.load();
            parity_ = static_cast<std::size_t>(e % 2);
            inj_.readers_[parity_].fetch_add(1);
            if (inj_.epoch_.load() == e) {
                return;
            }
            inj_.readers_[parity_].fetch_sub(1);  // a writer moved on; register again
        }
    }
    ~ReadGuard() { inj_.readers_[parity_].fetch_sub(1); }
    ReadGuard(const ReadGuard&) = delete;
    ReadGuard& operator=(const ReadGuard&) = delete;

  private:
    const FaultInjector& inj_;
    std::size_t parity_ = 0;
};

FaultInjector::FaultInjector(std::uint64_t seed) : random_(seed), seed_(seed) {
    current_ = install(FaultRuleSet{seed, {}, {}}, SteadyTime{});
    snapshot_.store(current_.get());
}

FaultInjector::~FaultInjector() = default;

std::unique_ptr<FaultInjector::Snapshot> FaultInjector::install(FaultRuleSet rules,
                                                                SteadyTime now) {
    auto snap = std::make_unique<Snapshot>();
    snap->active_from.reserve(rules.rules.size());
    for (const auto& r : rules.rules) {
        if (r.when.after_s) {
            const std::chrono::duration<double> after{*r.when.after_s};
            snap->active_from.emplace_back(now + std::chrono::ceil<SteadyTime::duration>(after));
        } else {
            snap->active_from.emplace_back(std::nullopt);
        }
    }
    snap->counters.resize(rules.rules.size());
    snap->set = std::move(rules);
    return snap;
}

template <typename Prepare>
void FaultInjector::publish(std::unique_ptr<Snapshot> snap, Prepare prepare) {
    std::unique_ptr<Snapshot> old;
    {
        std::lock_guard lock(mu_);
        prepare(*snap);
        old = std::exchange(current_, std::move(snap));
        rule_count_.store(current_->set.rules.size());
        snapshot_.store(current_.get());
    }
    // A reader that may still hold `old` registered before this increment, on
    // the parity it returns; later readers see the new epoch and the new
    // snapshot. Writers are serialized (install_mu_), so no other writer can
    // re-use that parity meanwhile. The wait is as long as one evaluate().
    const std::uint64_t e = epoch_.fetch_add(1);
    auto& readers = readers_[static_cast<std::size_t>(e % 2)];
    while (readers.load() != 0) {
        std::this_thread::yield();
    }
    old.reset();
}

FaultDecision FaultInjector::evaluate(const RequestFacts& facts, SteadyTime now) {
    if (empty()) {
        return {};
    }
    const ReadGuard guard(*this);
    const Snapshot* snap = snapshot_.load();
    Hits hits = snap->hits(facts, now);
    if (hits.none()) {
        return {};
    }

    Hits fired;
    std::int64_t delay_ms = 0;
    {
        std::lock_guard lock(mu_);
        if (current_.get() != snap) {  // replaced since the load: decide with the rules in force
            snap = current_.get();
            hits = snap->hits(facts, now);
        }
        for (std::size_t i = 0; i < snap->set.rules.size(); ++i) {
            if (!hits.test(i)) {
                continue;
            }
            const FaultRule& rule = snap->set.rules[i];
            const RuleWhen& w = rule.when;
            auto& c = snap->counters[i];
            const std::uint64_t n = ++c.matched;
            if ((w.nth && n != *w.nth) || (w.every && n % *w.every != 0) ||
                (w.first && n > *w.first) || (w.max_firings && c.fired >= *w.max_firings)) {
                continue;
            }
            if (w.probability && !random_.bernoulli(*w.probability)) {
                continue;
            }
            ++c.fired;
            fired.set(i);
            if (rule.then.delay_ms) {
                delay_ms += sample_delay_ms(*rule.then.delay_ms, random_);
            }
        }
    }
    if (fired.none()) {
        return {};
    }
    // `snap` stays valid: any snapshot current while the guard is held is
    // freed only after the guard is released.
    FaultDecision d;
    d.delay = std::chrono::milliseconds{std::min(delay_ms, fault_delay_ms_max)};
    for (std::size_t i = 0; i < snap->set.rules.size(); ++i) {
        if (!fired.test(i)) {
            continue;
        }
        const FaultRule& rule = snap->set.rules[i];
        const RuleThen& t = rule.then;
        d.fired_rules.push_back(rule.name);
        if (t.status && !d.status) {
            d.status = t.status;
            if (t.retry_after_s) {
                d.retry_after = std::to_string(*t.retry_after_s);
            } else if (t.retry_after_date) {
                d.retry_after = *t.retry_after_date;
            } else if (t.retry_after_date_in_s) {
                d.retry_after_date_in = std::chrono::seconds{*t.retry_after_date_in_s};
            }
            d.body = t.body;
        }
        d.delete_resource = d.delete_resource || t.delete_resource;
        if (t.foreign_write_merge_patch && !d.foreign_write_merge_patch) {
            d.foreign_write_merge_patch = t.foreign_write_merge_patch;
        }
        if (t.switch_etag_style && !d.switch_etag_style) {
            d.switch_etag_style = t.switch_etag_style;
        }
        if (t.switch_etag_scheme && !d.switch_etag_scheme) {
            d.switch_etag_scheme = t.switch_etag_scheme;
        }
        if (t.connection && d.fate == ConnectionFate::respond) {
            d.fate = *t.connection;
        }
    }
    return d;
}

void FaultInjector::replace(FaultRuleSet rules, SteadyTime now) {
    if (rules.rules.size() > fault_rules_max) {
        throw std::invalid_argument("FaultInjector::replace: more than " +
                                    std::to_string(fault_rules_max) + " rules");
    }
    auto snap = install(std::move(rules), now);
    std::lock_guard install_lock(install_mu_);
    publish(std::move(snap), [this](Snapshot& s) {
        if (s.set.seed) {
            seed_ = *s.set.seed;
        }
        s.set.seed = seed_;
        random_.reseed(seed_);
    });
}

void FaultInjector::clear() {
    std::lock_guard install_lock(install_mu_);
    publish(install(FaultRuleSet{}, SteadyTime{}), [this](Snapshot& s) { s.set.seed = seed_; });
}

void FaultInjector::reset(SteadyTime now) {
    std::lock_guard install_lock(install_mu_);
    FaultRuleSet rules;
    {
        std::lock_guard lock(mu_);
        rules = current_->set;
    }
    publish(install(std::move(rules), now), [this](Snapshot& s) {
        s.set.seed = seed_;
        random_.reseed(seed_);
    });
}

nlohmann::json FaultInjector::rules_json() const {
    FaultRuleSet rules;
    {
        std::lock_guard lock(mu_);
        rules = current_->set;
        rules.seed = seed_;
    }
    return to_json(rules);
}

nlohmann::json FaultInjector::firings_json() const {
    std::lock_guard lock(mu_);
    nlohmann::json out = nlohmann::json::object();
    for (std::size_t i = 0; i < current_->set.rules.size(); ++i) {
        out[current_->set.rules[i].name] = current_->counters[i].fired;
    }
    return out;
}

nlohmann::json FaultInjector::matches_json() const {
    std::lock_guard lock(mu_);
    nlohmann::json out = nlohmann::json::object();
    for (std::size_t i = 0; i < current_->set.rules.size(); ++i) {
        out[current_->set.rules[i].name] = current_->counters[i].matched;
    }
    return out;
}

std::uint64_t FaultInjector::seed() const {
    std::lock_guard lock(mu_);
    return seed_;
}

}  // namespace conflictlab::mock
