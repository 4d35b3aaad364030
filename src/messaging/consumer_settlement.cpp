#include "logistics/messaging/consumer_settlement.hpp"

#include <algorithm>

namespace logistics::messaging {

Settlement Decide(const DeliveryFacts& facts) {
  switch (facts.outcome) {
    case HandlerResult::Kind::kApplied:
    case HandlerResult::Kind::kIgnored:
      return Settlement::kAck;
    case HandlerResult::Kind::kRetry:
      return static_cast<std::int64_t>(facts.deliveries) >= facts.max_deliveries
                 ? Settlement::kDeadLetter
                 : Settlement::kRetry;
    case HandlerResult::Kind::kReject:
      return Settlement::kDeadLetter;
    case HandlerResult::Kind::kWait:
      return facts.waited >= facts.wait_limit ? Settlement::kDeadLetter : Settlement::kHold;
  }
  return Settlement::kRetry;  // unreachable: the switch covers every kind
}

Settlement AfterWrite(Settlement decided, WriteStatus status) {
  switch (status) {
    case WriteStatus::kCommitted:
      return decided;
    case WriteStatus::kStorageFull:
      return Settlement::kHold;
    case WriteStatus::kRolledBack:
    case WriteStatus::kFailed:
      return decided == Settlement::kHold ? Settlement::kHold : Settlement::kRetry;
  }
  return Settlement::kRetry;  // unreachable
}

std::chrono::milliseconds RetryDelay(std::uint64_t deliveries, std::chrono::milliseconds initial,
                                     std::chrono::milliseconds max) {
  const int doublings = static_cast<int>(std::min<std::uint64_t>(deliveries == 0 ? 0 : deliveries - 1, 20));
  return std::min<std::chrono::milliseconds>(max, initial * (std::int64_t{1} << doublings));
}

}  // namespace logistics::messaging
