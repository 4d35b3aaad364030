// CommitLatency: how long committed events take to be stored in the stream,
// from their transaction's commit to their PubAck.
//
// The writer tells it, after every commit, the highest outbox id that commit
// made durable and when; the relay tells it when each row's PubAck came. A
// row's latency is its PubAck time minus the time of the commit that covered
// it, so it includes the relay's wake-up, its read, the publish and the
// server's store, and nothing of the client's side. Rows committed before the
// process started have no commit time here and are not counted, nor are
// re-sends of rows already counted.
//
// Memory is bounded: commits whose rows are all acknowledged are forgotten,
// and at most kMaxCommits unacknowledged commits are remembered (beyond that,
// during a long outage, the oldest are dropped and their rows not counted).
//
// Thread-safety: none; the relay calls it under its own mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

#include "logistics/common/latency_histogram.hpp"

namespace logistics::messaging {

class CommitLatency {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::size_t kMaxCommits = 65536;

  // `last_id_at_start`: the outbox's highest id before this process committed
  // anything (rows up to it are not counted); none when it could not be read,
  // and then the first commit only sets the baseline.
  explicit CommitLatency(std::optional<std::int64_t> last_id_at_start);

  // A commit made every outbox row up to `last_id` durable at `when`.
  // A commit that added no outbox row (same `last_id`) changes nothing.
  void Committed(std::int64_t last_id, TimePoint when);
  // Row `id` was acknowledged by the stream at `when`.
  void Acknowledged(std::int64_t id, TimePoint when);
  // Every row up to `id` is acknowledged: their commits can be forgotten.
  void ForgetThrough(std::int64_t id);

  const common::LatencyHistogram& histogram() const { return histogram_; }

 private:
  struct Commit {
    std::int64_t first_id = 0;
    std::int64_t last_id = 0;
    TimePoint when{};
    std::int64_t counted_through = 0;  // rows of this commit up to here are counted
  };

  std::optional<std::int64_t> last_committed_id_;
  std::deque<Commit> commits_;  // in id order, disjoint ranges
  common::LatencyHistogram histogram_;
};

}  // namespace logistics::messaging
