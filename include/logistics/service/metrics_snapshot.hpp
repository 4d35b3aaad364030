// MetricsSnapshot: a service's figures at one moment, as plain values, in the
// shape its Prometheus metrics take (metrics_exposition.hpp turns it into the
// text format). SampleMetrics (runtime_metrics.hpp) fills it from the running
// parts at scrape time; tests fill it by hand.
//
// Every count is since the process started (a Prometheus counter restarts at
// zero with the process, which rate() understands).
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace logistics::service {

// A histogram in Prometheus' shape: cumulative counts at ascending finite
// upper bounds (the +Inf bucket is `count`).
struct HistogramFigures {
  std::vector<double> upper_bounds;              // ascending, finite
  std::vector<std::uint64_t> cumulative_counts;  // one per bound, non-decreasing, <= count
  std::uint64_t count = 0;
  double sum = 0;
};

// The answers of one endpoint with one outcome ("success", "rejected", "error").
struct EndpointOutcomeMetrics {
  std::string subject;      // "orders.cmd.create"
  std::string queue_group;  // "orders"
  std::string outcome;
  HistogramFigures duration_seconds;  // its count is the answers
};

// One durable consumer.
struct ConsumerMetrics {
  std::string durable;  // "payments-orders"
  std::string stream;   // "ORDERS"
  std::uint64_t processed = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t retries = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t pending = 0;
};

struct MetricsSnapshot {
  std::string service;  // the `service` label of every metric
  std::vector<EndpointOutcomeMetrics> endpoints;

  // The outbox, read from the database; empty when it could not be read
  // (then the age and parked figures mean nothing either).
  std::optional<std::int64_t> outbox_unpublished;  // not counting parked rows
  double outbox_oldest_unpublished_age_seconds = 0;  // 0 when nothing waits
  std::int64_t outbox_parked = 0;

  std::uint64_t relay_published = 0;
  std::uint64_t relay_failed_attempts = 0;
  std::uint64_t relay_parked_aggregates = 0;
  HistogramFigures relay_commit_to_ack_seconds;

  std::uint64_t writer_durable_commits = 0;
  std::uint64_t writer_bookkeeping_commits = 0;
  std::uint64_t writer_queue_depth = 0;
  HistogramFigures writer_changes_per_commit;  // over durable commits

  std::vector<ConsumerMetrics> consumers;

  // Sizes of the database file and its write-ahead log; empty when absent.
  std::optional<std::uint64_t> database_bytes;
  std::optional<std::uint64_t> wal_bytes;
};

}  // namespace logistics::service
