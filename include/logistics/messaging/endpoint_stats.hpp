// EndpointStats: what $SRV.STATS reports for one endpoint (ADR-32).
//
// Counts the requests an endpoint received, the error replies it sent (any
// status >= 400, as a micro service's handler "error"), the last error ("409
// INVALID_STATE_TRANSITION: ..."), and the total time from receiving a
// request to answering it (for commands, this includes the group commit).
//
// Thread-safety: every method is safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace logistics::messaging {

struct EndpointFigures {
  std::uint64_t num_requests = 0;
  std::uint64_t num_errors = 0;
  std::string last_error;
  std::int64_t processing_time_ns = 0;
  std::int64_t average_processing_time_ns = 0;
};

class EndpointStats {
 public:
  void RecordRequest() { requests_.fetch_add(1, std::memory_order_relaxed); }
  void RecordAnswer(std::chrono::nanoseconds took) {
    processing_ns_.fetch_add(took.count(), std::memory_order_relaxed);
    answered_.fetch_add(1, std::memory_order_relaxed);
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
    std::lock_guard lock(mutex_);
    figures.last_error = last_error_;
    return figures;
  }

 private:
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> answered_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::atomic<std::int64_t> processing_ns_{0};
  mutable std::mutex mutex_;
  std::string last_error_;
};

}  // namespace logistics::messaging
