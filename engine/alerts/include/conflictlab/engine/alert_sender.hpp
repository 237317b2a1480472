#pragma once
// AlertSender: posts an Adaptive Card (adaptive_card.hpp) to a webhook for
// every recorded outcome with `alert` set (Failed), without ever blocking the
// resolution that produced it.
//
//   record()   alert outcomes only: rate limiter (token bucket, default 30 per
//              minute, burst 10). Allowed -> the card joins a bounded queue
//              (full -> dropped, counted). Refused -> suppressed, counted;
//              once a token is available again one summary card ("N alerts
//              suppressed since T") is queued.
//   delivery   one POST at a time, in order, over HttpClient (its own I/O
//              thread). 2xx -> sent. 429 / 503 -> retry after Retry-After
//              (seconds or HTTP-date, capped) or the backoff; other 5xx and
//              transport errors -> retry after the backoff; other statuses ->
//              failed at once. At most max_attempts posts per card.
//
// The webhook URL is treated as a secret (a Teams URL authorises by its
// path): it never appears in errors, stats or logs.
//
// Thread-safety: all members are thread-safe. Ownership: owns its HTTP client
// and thread; the destructor waits up to close_grace for queued cards, then
// drops the rest.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "conflictlab/engine/adaptive_card.hpp"
#include "conflictlab/engine/backoff.hpp"
#include "conflictlab/engine/outcome_sink.hpp"

namespace conflictlab::engine {

// Full jitter, base 500 ms, cap 30 s.
inline BackoffOptions default_alert_backoff() {
    BackoffOptions b;
    b.kind = BackoffKind::full_jitter;
    b.base_ms = 500;
    b.cap_ms = 30'000;
    return b;
}

struct AlertSenderOptions {
    // Webhook URL (http:// or https://). Required. A secret: load it with
    // load_secret() rather than putting it on a command line.
    std::string webhook_url;
    // Optional bearer token source for the webhook ("env:NAME" / "file:PATH").
    std::string bearer_token_secret;
    // HTTPS: extra trusted CA file; and the switch for self-signed test servers.
    std::string ca_file;
    bool insecure_skip_verify = false;
    // Rate limit: cards per minute on average, and the burst allowed at once.
    double per_minute = 30.0;
    double burst = 10.0;
    // Cards waiting for delivery at most; beyond: dropped and counted.
    std::size_t queue_capacity = 1'000;
    // Posts per card at most (first try included). >= 1.
    int max_attempts = 4;
    // Delay between attempts when the webhook gives no Retry-After.
    BackoffOptions backoff = default_alert_backoff();
    // Retry-After values above this are clamped to it.
    std::chrono::milliseconds retry_after_cap{120'000};
    // Timeout of one POST.
    std::chrono::milliseconds request_timeout{10'000};
    // The destructor waits this long for queued cards before dropping them.
    std::chrono::milliseconds close_grace{2'000};
    // Card content bounds.
    AdaptiveCardOptions card;
    // Seed of the backoff jitter.
    std::uint64_t seed = 1;
};

struct AlertSenderStats {
    std::uint64_t alerts = 0;          // alert outcomes recorded
    std::uint64_t sent = 0;            // cards accepted by the webhook (2xx)
    std::uint64_t summaries_sent = 0;  // of which suppression summaries
    std::uint64_t failed = 0;          // cards given up on
    std::uint64_t retries = 0;         // posts beyond the first
    std::uint64_t suppressed = 0;      // refused by the rate limiter
    std::uint64_t dropped = 0;         // queue full
    std::uint64_t queued_now = 0;      // gauge: waiting or being delivered
    int last_status = 0;               // status of the last post, 0 for a transport error
};

class AlertSender final : public OutcomeSink {
  public:
    // `now` is the monotonic clock of the rate limiter (default steady_clock).
    // Throws TargetError / std::runtime_error for a bad URL, token or CA file
    // (messages never include the URL's path).
    explicit AlertSender(AlertSenderOptions options, std::function<Timestamp()> now = {});
    ~AlertSender() override;
    AlertSender(const AlertSender&) = delete;
    AlertSender& operator=(const AlertSender&) = delete;

    // Queues a card for an outcome with `alert` set; ignores the others.
    void record(const Outcome& outcome) override;
    // Waits until nothing is queued or being delivered, at most `timeout`.
    bool wait_idle(std::chrono::milliseconds timeout);
    // wait_idle(close_grace).
    void flush() override;

    AlertSenderStats stats() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace conflictlab::engine
