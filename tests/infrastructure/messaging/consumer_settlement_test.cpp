// The consumer's settlement policy, case by case (consumer_settlement.hpp).
#include <catch2/catch.hpp>

#include "logistics/messaging/consumer_settlement.hpp"

using logistics::messaging::AfterWrite;
using logistics::messaging::Decide;
using logistics::messaging::DeliveryFacts;
using logistics::messaging::HandlerResult;
using logistics::messaging::RetryDelay;
using logistics::messaging::Settlement;
using logistics::messaging::WriteStatus;
using namespace std::chrono_literals;

TEST_CASE("a handler's outcome settles the event by the delivery count and the time waited",
          "[messaging][consumer][settlement]") {
  using Kind = HandlerResult::Kind;
  struct Case {
    const char* what;
    Kind outcome;
    std::uint64_t deliveries;
    std::chrono::milliseconds waited;
    Settlement expected;
  };
  const auto c = GENERATE(values<Case>({
      {"applied is acknowledged", Kind::kApplied, 1, 0ms, Settlement::kAck},
      {"ignored is acknowledged", Kind::kIgnored, 5, 0ms, Settlement::kAck},
      {"a retry before the last delivery is redelivered", Kind::kRetry, 4, 0ms, Settlement::kRetry},
      {"a retry on the last delivery is a dead letter", Kind::kRetry, 5, 0ms, Settlement::kDeadLetter},
      {"a retry past the last delivery is a dead letter", Kind::kRetry, 9, 0ms,
       Settlement::kDeadLetter},
      {"a reject is a dead letter at once", Kind::kReject, 1, 0ms, Settlement::kDeadLetter},
      {"a wait is held", Kind::kWait, 1, 0ms, Settlement::kHold},
      {"a wait is held whatever the delivery count", Kind::kWait, 7, 59s, Settlement::kHold},
      {"a wait past its limit is a dead letter", Kind::kWait, 1, 60s, Settlement::kDeadLetter},
  }));
  INFO(c.what);
  CHECK(Decide(DeliveryFacts{c.outcome, c.deliveries, 5, c.waited, 60s}) == c.expected);
}

TEST_CASE("the transaction's end decides what the server is told", "[messaging][consumer][settlement]") {
  struct Case {
    const char* what;
    Settlement decided;
    WriteStatus status;
    Settlement expected;
  };
  const auto c = GENERATE(values<Case>({
      {"a committed ack is acknowledged", Settlement::kAck, WriteStatus::kCommitted, Settlement::kAck},
      {"a committed dead letter is terminated", Settlement::kDeadLetter, WriteStatus::kCommitted,
       Settlement::kDeadLetter},
      {"an ack whose transaction failed is retried", Settlement::kAck, WriteStatus::kFailed,
       Settlement::kRetry},
      {"a dead letter that could not be recorded is retried", Settlement::kDeadLetter,
       WriteStatus::kRolledBack, Settlement::kRetry},
      {"anything refused for lack of space is held", Settlement::kAck, WriteStatus::kStorageFull,
       Settlement::kHold},
      {"a dead letter refused for lack of space is held", Settlement::kDeadLetter,
       WriteStatus::kStorageFull, Settlement::kHold},
      {"a hold stays a hold when the transaction failed", Settlement::kHold, WriteStatus::kFailed,
       Settlement::kHold},
  }));
  INFO(c.what);
  CHECK(AfterWrite(c.decided, c.status) == c.expected);
}

TEST_CASE("redelivery delays double from the initial delay up to the maximum",
          "[messaging][consumer][settlement]") {
  CHECK(RetryDelay(1, 100ms, 1000ms) == 100ms);
  CHECK(RetryDelay(2, 100ms, 1000ms) == 200ms);
  CHECK(RetryDelay(4, 100ms, 1000ms) == 800ms);
  CHECK(RetryDelay(5, 100ms, 1000ms) == 1000ms);
  CHECK(RetryDelay(60, 100ms, 1000ms) == 1000ms);
}
