// EndpointStats: what $SRV.STATS reports for one endpoint (ADR-32), and what
// the endpoint's Prometheus metrics are read from.
//
// Counts the requests an endpoint received, the error replies it sent (any
// status >= 400, as a micro service's handler "error"), the last error ("409
// INVALID_STATE_TRANSITION: ..."), and the total time from receiving a
// request to answering it (for commands, this includes the group commit).
// Each answer is also counted by its outcome (AnswerOutcome: 2xx, 4xx, 5xx)
// in a histogram of its duration at the fixed bounds kAnswerDurationBounds.
//
// Recording is a handful of relaxed atomic increments (no lock but the last
// error's). An outcome's count is the sum of its buckets, so a histogram read
// while answers are recorded is still consistent (its total never differs
// from its buckets); its duration total may lag by the answers in flight.
//
// Thread-safety: every method is safe from any thread.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

namespace logistics::messaging {

// How a request was answered: kSuccess (a 2xx reply, or silence for a
// request without a reply subject), kRejected (4xx: the request was refused,
// a normal outcome), kError (5xx: the service could not do it).
enum class AnswerOutcome { kSuccess = 0, kRejected = 1, kError = 2 };
inline constexpr std::size_t kAnswerOutcomes = 3;

// The outcome of a reply with this status.
constexpr AnswerOutcome OutcomeOfStatus(int status) {
  if (status >= 500) return AnswerOutcome::kError;
  if (status >= 400) return AnswerOutcome::kRejected;
  return AnswerOutcome::kSuccess;
}

// Upper bounds of the answer-duration buckets: 0.5 ms to 10 s, finer than
// OpenTelemetry's default messaging bounds (which start at 5 ms), since a
// command here is answered in about a millisecond.
inline constexpr std::array<std::chrono::microseconds, 14> kAnswerDurationBounds{
    std::chrono::microseconds(500),       std::chrono::microseconds(1'000),
    std::chrono::microseconds(2'500),     std::chrono::microseconds(5'000),
    std::chrono::microseconds(10'000),    std::chrono::microseconds(25'000),
    std::chrono::microseconds(50'000),    std::chrono::microseconds(100'000),
    std::chrono::microseconds(250'000),   std::chrono::microseconds(500'000),
    std::chrono::microseconds(1'000'000), std::chrono::microseconds(2'500'000),
    std::chrono::microseconds(5'000'000), std::chrono::microseconds(10'000'000)};

// The answers of one outcome.
struct OutcomeFigures {
  std::uint64_t answered = 0;    // the sum of per_bucket
  std::int64_t duration_ns = 0;  // their total duration
  // Answers per bucket, not cumulative: [i] took at most
  // kAnswerDurationBounds[i] (and more than the bound before it); the last
  // entry counts those above every bound.
  std::array<std::uint64_t, kAnswerDurationBounds.size() + 1> per_bucket{};
};

struct EndpointFigures {
  std::uint64_t num_requests = 0;
  std::uint64_t num_errors = 0;
  std::string last_error;
  std::int64_t processing_time_ns = 0;
  std::int64_t average_processing_time_ns = 0;
  std::array<OutcomeFigures, kAnswerOutcomes> outcomes{};  // indexed by AnswerOutcome
};

class EndpointStats {
 public:
  void RecordRequest() { requests_.fetch_add(1, std::memory_order_relaxed); }
  // An answer with reply status `status` (200 for success), `took` after the
  // request was received.
  void RecordAnswer(std::chrono::nanoseconds took, int status) {
    processing_ns_.fetch_add(took.count(), std::memory_order_relaxed);
    answered_.fetch_add(1, std::memory_order_relaxed);
    Outcome& outcome = outcomes_[static_cast<std::size_t>(OutcomeOfStatus(status))];
    outcome.duration_ns.fetch_add(took.count(), std::memory_order_relaxed);
    // Rounded up, so that an answer is never counted below a bound it exceeds.
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(kAnswerDurationBounds.begin(), kAnswerDurationBounds.end(),
                         std::chrono::ceil<std::chrono::microseconds>(took)) -
        kAnswerDurationBounds.begin());
    outcome.per_bucket[bucket].fetch_add(1, std::memory_order_relaxed);
  }
  void RecordError(std::string error) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    last_error_ = std::move(error);
  }
  EndpointFigures Figures() const {
    EndpointFigures figures;
    figures.num_requests = requests_.load(std::memory_order_relaxed);
    figures.num_errors = errors_.load(std::memory_order_relaxed);
    figures.processing_time_ns = processing_ns_.load(std::memory_order_relaxed);
    const auto answered = answered_.load(std::memory_order_relaxed);
    figures.average_processing_time_ns =
        answered == 0 ? 0 : figures.processing_time_ns / static_cast<std::int64_t>(answered);
    for (std::size_t i = 0; i < kAnswerOutcomes; ++i) {
      const Outcome& outcome = outcomes_[i];
      OutcomeFigures& out = figures.outcomes[i];
      out.duration_ns = outcome.duration_ns.load(std::memory_order_relaxed);
      for (std::size_t b = 0; b < out.per_bucket.size(); ++b) {
        out.per_bucket[b] = outcome.per_bucket[b].load(std::memory_order_relaxed);
        out.answered += out.per_bucket[b];
      }
    }
    std::lock_guard lock(mutex_);
    figures.last_error = last_error_;
    return figures;
  }

 private:
  struct Outcome {
    std::atomic<std::int64_t> duration_ns{0};
    std::array<std::atomic<std::uint64_t>, kAnswerDurationBounds.size() + 1> per_bucket{};
  };

  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> answered_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::atomic<std::int64_t> processing_ns_{0};
  std::array<Outcome, kAnswerOutcomes> outcomes_{};
  mutable std::mutex mutex_;
  std::string last_error_;
};

}  // namespace logistics::messaging
