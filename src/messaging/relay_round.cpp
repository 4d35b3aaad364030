#include "logistics/messaging/relay_round.hpp"

#include <string_view>
#include <unordered_set>

#include <algorithm>
#include <string>

namespace logistics::messaging {

RoundOutcome JudgeRound(const std::vector<std::int64_t>& sent,
                        std::vector<std::int64_t> acknowledged,
                        std::optional<std::int64_t> first_refused) {
  RoundOutcome outcome;
  std::sort(acknowledged.begin(), acknowledged.end());
  outcome.first_failed = first_refused;
  // A row before the refused one that has no PubAck failed first.
  for (const std::int64_t id : sent) {
    if (first_refused && id >= *first_refused) break;
    if (!std::binary_search(acknowledged.begin(), acknowledged.end(), id)) {
      outcome.first_failed = id;
      outcome.first_failed_unanswered = true;
      break;
    }
  }
  outcome.acknowledged = std::move(acknowledged);
  return outcome;
}

NextRound AfterRound(const RelayPosition& before, std::int64_t last_row, const RoundOutcome& outcome,
                     nats::NatsErrorKind first_error, const RetryPolicy& policy) {
  NextRound next;
  if (!outcome.first_failed) {
    next.position = RelayPosition{last_row, false, policy.initial};
    return next;  // there may be more: read again at once
  }
  next.position.cursor = *outcome.first_failed - 1;
  next.position.probing = true;
  next.wait = before.retry_delay;
  next.position.retry_delay = Backoff(before.retry_delay, policy);
  // A refusal for want of a stream: someone deleted it; create it again.
  next.set_up_streams =
      !outcome.first_failed_unanswered && first_error == nats::NatsErrorKind::kNoResponders;
  return next;
}

bool IsLastingRefusal(nats::NatsErrorKind kind) {
  switch (kind) {
    case nats::NatsErrorKind::kTooLarge:
    case nats::NatsErrorKind::kNoResponders:
    case nats::NatsErrorKind::kWrongStream:
    case nats::NatsErrorKind::kRejected:
    case nats::NatsErrorKind::kNotFound:
    case nats::NatsErrorKind::kAlreadyExists:
    case nats::NatsErrorKind::kWrongLastSequence:
      return true;
    case nats::NatsErrorKind::kTimeout:
    case nats::NatsErrorKind::kNotConnected:
    case nats::NatsErrorKind::kLimitExceeded:  // a server out of storage recovers
    case nats::NatsErrorKind::kOther:
      return false;
  }
  return false;
}

bool ShouldPark(std::int64_t lasting_refusals, std::int64_t park_after) {
  return park_after > 0 && lasting_refusals >= park_after;
}

NextRound AfterParking(std::int64_t parked_id, const RetryPolicy& policy) {
  NextRound next;
  next.position = RelayPosition{parked_id, false, policy.initial};
  return next;
}

std::size_t RoundSize(const RelayPosition& position, std::size_t window) {
  return position.probing ? 1 : window;
}

std::size_t DistinctAggregatePrefix(const std::vector<std::string>& aggregates) {
  std::unordered_set<std::string_view> seen;
  std::size_t count = 0;
  for (const std::string& aggregate : aggregates) {
    if (!seen.insert(aggregate).second) break;
    ++count;
  }
  return count;
}

std::chrono::milliseconds Backoff(std::chrono::milliseconds current, const RetryPolicy& policy) {
  return std::clamp(current * 2, policy.initial, policy.max);
}

void KeepHighest(std::unordered_map<std::string, AcknowledgedPosition>& positions,
                 const AcknowledgedPosition& acknowledged) {
  auto [known, added] = positions.try_emplace(acknowledged.stream, acknowledged);
  if (!added && known->second.sequence < acknowledged.sequence) known->second = acknowledged;
}

std::vector<AcknowledgedPosition> LastPositionPerStream(std::vector<AcknowledgedPosition> positions) {
  std::unordered_map<std::string, AcknowledgedPosition> last;
  for (auto& position : positions) last[position.stream] = std::move(position);
  std::vector<AcknowledgedPosition> kept;
  kept.reserve(last.size());
  for (auto& [stream, position] : last) kept.push_back(std::move(position));
  return kept;
}

}  // namespace logistics::messaging
