#include "logistics/messaging/commit_latency.hpp"

#include <algorithm>

namespace logistics::messaging {

CommitLatency::CommitLatency(std::optional<std::int64_t> last_id_at_start)
    : last_committed_id_(last_id_at_start) {}

void CommitLatency::Committed(std::int64_t last_id, TimePoint when) {
  if (!last_committed_id_) {
    last_committed_id_ = last_id;
    return;
  }
  if (last_id <= *last_committed_id_) return;
  commits_.push_back(Commit{*last_committed_id_ + 1, last_id, when, *last_committed_id_});
  last_committed_id_ = last_id;
  if (commits_.size() > kMaxCommits) commits_.pop_front();
}

void CommitLatency::Acknowledged(std::int64_t id, TimePoint when) {
  const auto commit = std::lower_bound(
      commits_.begin(), commits_.end(), id,
      [](const Commit& candidate, std::int64_t wanted) { return candidate.last_id < wanted; });
  if (commit == commits_.end() || id < commit->first_id) return;
  // Rows are acknowledged in id order within a commit, except after a failed
  // round, which sends them again: count each row once, the first time.
  if (id <= commit->counted_through) return;
  commit->counted_through = id;
  histogram_.Record(std::chrono::duration_cast<std::chrono::microseconds>(when - commit->when));
}

void CommitLatency::ForgetThrough(std::int64_t id) {
  while (!commits_.empty() && commits_.front().last_id <= id) commits_.pop_front();
}

}  // namespace logistics::messaging
