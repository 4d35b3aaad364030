// The relay's round bookkeeping, case by case (relay_round.hpp): which row
// failed first, where the relay resumes, when it probes one row at a time,
// how long it backs off, and what failed marks keep.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <vector>

#include "logistics/messaging/relay_round.hpp"

using logistics::messaging::AcknowledgedPosition;
using logistics::messaging::AfterRound;
using logistics::messaging::Backoff;
using logistics::messaging::JudgeRound;
using logistics::messaging::KeepHighest;
using logistics::messaging::LastPositionPerStream;
using logistics::messaging::RelayPosition;
using logistics::messaging::RetryPolicy;
using logistics::messaging::RoundOutcome;
using logistics::messaging::RoundSize;
using logistics::messaging::DistinctAggregatePrefix;
using logistics::nats::NatsErrorKind;
using namespace std::chrono_literals;

namespace {

constexpr RetryPolicy kPolicy{100ms, 5000ms};

}  // namespace

TEST_CASE("a round's first failure is its lowest refused row or its first row without a PubAck",
          "[messaging][relay][round]") {
  struct Case {
    const char* what;
    std::vector<std::int64_t> acknowledged;
    std::optional<std::int64_t> refused;
    std::optional<std::int64_t> first_failed;
    bool unanswered;
  };
  const auto c = GENERATE(values<Case>({
      {"every row acknowledged: no failure", {13, 11, 12}, std::nullopt, std::nullopt, false},
      {"a refused row fails the round there", {11, 13}, 12, 12, false},
      {"a row with no PubAck fails the round there", {11, 13}, std::nullopt, 12, true},
      {"a missing PubAck before a refusal comes first", {13}, 12, 11, true},
      {"a missing PubAck after a refusal does not count", {11}, 12, 12, false},
      {"nothing acknowledged fails the first row", {}, std::nullopt, 11, true},
      {"the first row refused", {12, 13}, 11, 11, false},
  }));
  INFO(c.what);
  const RoundOutcome outcome = JudgeRound({11, 12, 13}, c.acknowledged, c.refused);
  CHECK(outcome.first_failed == c.first_failed);
  CHECK(outcome.first_failed_unanswered == c.unanswered);
  auto sorted = c.acknowledged;
  std::sort(sorted.begin(), sorted.end());
  CHECK(outcome.acknowledged == sorted);  // every acknowledged row is marked, even after a failure
}

TEST_CASE("after a round the relay resumes, probes and backs off by what failed",
          "[messaging][relay][round]") {
  struct Case {
    const char* what;
    RelayPosition before;
    RoundOutcome outcome;
    NatsErrorKind error;
    RelayPosition after;
    std::chrono::milliseconds wait;
    bool set_up_streams;
  };
  const auto c = GENERATE(values<Case>({
      {"a full success reads on at once with a full window",
       {10, false, 100ms}, {{11, 12, 13}, std::nullopt, false}, NatsErrorKind::kOther,
       {13, false, 100ms}, 0ms, false},
      {"a successful probe ends probing and resets the backoff",
       {10, true, 800ms}, {{11}, std::nullopt, false}, NatsErrorKind::kOther,
       {13, false, 100ms}, 0ms, false},
      {"a refusal resumes before the refused row, probing, after the retry delay",
       {10, false, 100ms}, {{11}, 12, false}, NatsErrorKind::kLimitExceeded,
       {11, true, 200ms}, 100ms, false},
      {"a missing PubAck resumes before that row, probing",
       {10, false, 400ms}, {{}, 11, true}, NatsErrorKind::kTimeout,
       {10, true, 800ms}, 400ms, false},
      {"the backoff stops at its maximum",
       {10, true, 4000ms}, {{}, 11, false}, NatsErrorKind::kRejected,
       {10, true, 5000ms}, 4000ms, false},
      {"no stream capturing the subject has the streams set up again",
       {10, false, 100ms}, {{}, 11, false}, NatsErrorKind::kNoResponders,
       {10, true, 200ms}, 100ms, true},
      {"a missing PubAck before the refused row does not set the streams up",
       {10, false, 100ms}, {{}, 11, true}, NatsErrorKind::kNoResponders,
       {10, true, 200ms}, 100ms, false},
  }));
  INFO(c.what);
  const auto next = AfterRound(c.before, 13, c.outcome, c.error, kPolicy);
  CHECK(next.position.cursor == c.after.cursor);
  CHECK(next.position.probing == c.after.probing);
  CHECK(next.position.retry_delay == c.after.retry_delay);
  CHECK(next.wait == c.wait);
  CHECK(next.set_up_streams == c.set_up_streams);
}

TEST_CASE("a probing relay reads one row, otherwise a window", "[messaging][relay][round]") {
  CHECK(RoundSize(RelayPosition{0, true, 100ms}, 256) == 1);
  CHECK(RoundSize(RelayPosition{0, false, 100ms}, 256) == 256);
}

TEST_CASE("a backoff doubles, starts at the initial delay and stops at the maximum",
          "[messaging][relay][round]") {
  CHECK(Backoff(0ms, kPolicy) == 100ms);  // a mark retry delay reset to zero
  CHECK(Backoff(100ms, kPolicy) == 200ms);
  CHECK(Backoff(3000ms, kPolicy) == 5000ms);
  CHECK(Backoff(5000ms, kPolicy) == 5000ms);
}

TEST_CASE("each stream keeps the highest sequence it acknowledged, whatever order PubAcks come in",
          "[messaging][relay][round]") {
  std::unordered_map<std::string, AcknowledgedPosition> positions;
  KeepHighest(positions, {"ORDERS", 7, "e7"});
  KeepHighest(positions, {"ORDERS", 5, "e5"});
  KeepHighest(positions, {"PAYMENTS", 2, "p2"});
  KeepHighest(positions, {"ORDERS", 9, "e9"});
  CHECK(positions.at("ORDERS") == AcknowledgedPosition{"ORDERS", 9, "e9"});
  CHECK(positions.at("PAYMENTS") == AcknowledgedPosition{"PAYMENTS", 2, "p2"});
}

TEST_CASE("failed marks retried together keep the last position given for each stream",
          "[messaging][relay][round]") {
  auto kept = LastPositionPerStream({{"ORDERS", 3, "a"}, {"PAYMENTS", 4, "b"}, {"ORDERS", 8, "c"}});
  std::sort(kept.begin(), kept.end(),
            [](const auto& x, const auto& y) { return x.stream < y.stream; });
  REQUIRE(kept.size() == 2);
  CHECK(kept[0] == AcknowledgedPosition{"ORDERS", 8, "c"});
  CHECK(kept[1] == AcknowledgedPosition{"PAYMENTS", 4, "b"});
}

TEST_CASE("only a refusal that retrying will not fix soon can park an event",
          "[messaging][relay][round][parking]") {
  struct Row {
    NatsErrorKind kind;
    bool lasting;
  };
  const auto row = GENERATE(values<Row>({
      {NatsErrorKind::kTooLarge, true},
      {NatsErrorKind::kNoResponders, true},
      {NatsErrorKind::kWrongStream, true},
      {NatsErrorKind::kRejected, true},
      {NatsErrorKind::kNotFound, true},
      {NatsErrorKind::kAlreadyExists, true},
      {NatsErrorKind::kWrongLastSequence, true},
      {NatsErrorKind::kTimeout, false},
      {NatsErrorKind::kNotConnected, false},
      {NatsErrorKind::kLimitExceeded, false},
      {NatsErrorKind::kOther, false},
  }));
  CAPTURE(logistics::nats::NatsErrorKindName(row.kind));
  CHECK(logistics::messaging::IsLastingRefusal(row.kind) == row.lasting);
}

TEST_CASE("an event is parked after the configured number of lasting refusals, never with 0",
          "[messaging][relay][round][parking]") {
  using logistics::messaging::ShouldPark;
  CHECK_FALSE(ShouldPark(1, 3));
  CHECK_FALSE(ShouldPark(2, 3));
  CHECK(ShouldPark(3, 3));
  CHECK(ShouldPark(4, 3));
  CHECK_FALSE(ShouldPark(1000, 0));
}

TEST_CASE("after parking the relay goes on past the parked row with a full window and no wait",
          "[messaging][relay][round][parking]") {
  const auto next = logistics::messaging::AfterParking(42, kPolicy);
  CHECK(next.position.cursor == 42);
  CHECK_FALSE(next.position.probing);
  CHECK(next.position.retry_delay == kPolicy.initial);
  CHECK(next.wait == 0ms);
  CHECK_FALSE(next.set_up_streams);
  CHECK(logistics::messaging::RoundSize(next.position, 256) == 256);
}

TEST_CASE("a round holds the rows up to the first that repeats an aggregate", "[messaging][relay]") {
  using Aggregates = std::vector<std::string>;
  CHECK(DistinctAggregatePrefix(Aggregates{}) == 0);
  CHECK(DistinctAggregatePrefix(Aggregates{"a", "b", "c"}) == 3);
  CHECK(DistinctAggregatePrefix(Aggregates{"a", "a", "b"}) == 1);
  CHECK(DistinctAggregatePrefix(Aggregates{"a", "b", "c", "b", "d"}) == 3);
  // Later rows of other aggregates wait too: the round is a prefix, so the
  // cursor still means "every row up to here was acknowledged".
  CHECK(DistinctAggregatePrefix(Aggregates{"a", "b", "a", "c"}) == 2);
}
