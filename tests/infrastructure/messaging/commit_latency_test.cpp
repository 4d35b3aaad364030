#include "logistics/messaging/commit_latency.hpp"

#include <catch2/catch.hpp>
#include <chrono>

using logistics::messaging::CommitLatency;
using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace {

const CommitLatency::TimePoint kT0 = CommitLatency::TimePoint{} + std::chrono::hours(1);

}  // namespace

TEST_CASE("a row's latency runs from the commit that covered it to its PubAck",
          "[messaging][relay][latency]") {
  CommitLatency latency(0);
  latency.Committed(3, kT0);                      // rows 1..3
  latency.Committed(5, kT0 + milliseconds(10));   // rows 4..5
  latency.Acknowledged(1, kT0 + milliseconds(2));
  latency.Acknowledged(3, kT0 + milliseconds(2));
  latency.Acknowledged(4, kT0 + milliseconds(13));
  latency.Acknowledged(5, kT0 + milliseconds(13));
  const auto& histogram = latency.histogram();
  CHECK(histogram.count() == 4);
  CHECK(histogram.Percentile(0.5) >= milliseconds(2));
  CHECK(histogram.Percentile(0.5) < milliseconds(3));
  CHECK(histogram.Max() == milliseconds(3));
}

TEST_CASE("rows committed before the process started are not counted",
          "[messaging][relay][latency]") {
  CommitLatency latency(10);  // rows 1..10 came from an earlier process
  latency.Committed(12, kT0);
  latency.Acknowledged(7, kT0 + milliseconds(1));
  latency.Acknowledged(11, kT0 + milliseconds(1));
  latency.Acknowledged(12, kT0 + milliseconds(1));
  CHECK(latency.histogram().count() == 2);
}

TEST_CASE("without a known starting id the first commit only sets the baseline",
          "[messaging][relay][latency]") {
  CommitLatency latency(std::nullopt);
  latency.Committed(4, kT0);
  latency.Acknowledged(4, kT0 + milliseconds(1));
  CHECK(latency.histogram().count() == 0);
  latency.Committed(5, kT0 + milliseconds(2));
  latency.Acknowledged(5, kT0 + milliseconds(3));
  CHECK(latency.histogram().count() == 1);
  CHECK(latency.histogram().Max() == milliseconds(1));
}

TEST_CASE("a commit without outbox rows and a re-sent row are not counted again",
          "[messaging][relay][latency]") {
  CommitLatency latency(0);
  latency.Committed(2, kT0);
  latency.Committed(2, kT0 + milliseconds(50));  // bookkeeping only: no new rows
  latency.Acknowledged(1, kT0 + milliseconds(1));
  latency.Acknowledged(2, kT0 + milliseconds(1));
  latency.Acknowledged(2, kT0 + milliseconds(90));  // a re-send after a failed round
  CHECK(latency.histogram().count() == 2);
  CHECK(latency.histogram().Max() == milliseconds(1));
}

TEST_CASE("acknowledged commits are forgotten, so later acks of their rows count nothing",
          "[messaging][relay][latency]") {
  CommitLatency latency(0);
  latency.Committed(2, kT0);
  latency.Committed(4, kT0 + milliseconds(5));
  latency.Acknowledged(1, kT0 + milliseconds(1));
  latency.Acknowledged(2, kT0 + milliseconds(1));
  latency.ForgetThrough(2);
  latency.Acknowledged(2, kT0 + milliseconds(100));  // re-published horizon: not a new latency
  latency.Acknowledged(3, kT0 + milliseconds(6));
  CHECK(latency.histogram().count() == 3);
  CHECK(latency.histogram().Max() == milliseconds(1));
}
