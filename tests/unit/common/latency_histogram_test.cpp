#include "logistics/common/latency_histogram.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>

namespace {

using logistics::common::LatencyHistogram;
using std::chrono::microseconds;

}  // namespace

TEST_CASE("an empty latency histogram reports zero", "[common][latency]") {
  const LatencyHistogram histogram;
  CHECK(histogram.count() == 0);
  CHECK(histogram.Percentile(0.5) == microseconds(0));
  CHECK(histogram.Percentile(0.99) == microseconds(0));
  CHECK(histogram.Max() == microseconds(0));
}

TEST_CASE("small latencies are counted exactly", "[common][latency]") {
  LatencyHistogram histogram;
  for (int us = 1; us <= 20; ++us) histogram.Record(microseconds(us));
  CHECK(histogram.count() == 20);
  CHECK(histogram.Percentile(0.5) == microseconds(10));
  CHECK(histogram.Percentile(1.0) == microseconds(20));
  CHECK(histogram.Max() == microseconds(20));
}

TEST_CASE("a percentile is never below the true value and at most 1/32 above it",
          "[common][latency]") {
  LatencyHistogram histogram;
  // 1..100000 us: the true p50 is 50000 us, the true p99 99000 us.
  for (std::int64_t us = 1; us <= 100'000; ++us) histogram.Record(microseconds(us));
  const auto p50 = histogram.Percentile(0.50).count();
  const auto p99 = histogram.Percentile(0.99).count();
  CHECK(p50 >= 50'000);
  CHECK(p50 <= 50'000 + 50'000 / 32);
  CHECK(p99 >= 99'000);
  CHECK(p99 <= 99'000 + 99'000 / 32);
  CHECK(histogram.Percentile(1.0) == microseconds(100'000));
}

TEST_CASE("a few slow outliers show in p99 but not in p50", "[common][latency]") {
  LatencyHistogram histogram;
  for (int i = 0; i < 980; ++i) histogram.Record(microseconds(800));
  for (int i = 0; i < 20; ++i) histogram.Record(microseconds(40'000));
  CHECK(histogram.Percentile(0.50).count() >= 800);
  CHECK(histogram.Percentile(0.50).count() < 830);
  CHECK(histogram.Percentile(0.99).count() >= 40'000);
  CHECK(histogram.Max() == microseconds(40'000));
}

TEST_CASE("negative and huge latencies are clamped, not lost", "[common][latency]") {
  LatencyHistogram histogram;
  histogram.Record(microseconds(-5));
  histogram.Record(std::chrono::hours(24 * 400));
  CHECK(histogram.count() == 2);
  CHECK(histogram.Percentile(0.5) == microseconds(0));
  CHECK(histogram.Max() == std::chrono::hours(24 * 400));
}

TEST_CASE("the sum of recorded latencies is exact", "[common][latency]") {
  LatencyHistogram histogram;
  for (std::int64_t us = 1; us <= 1000; ++us) histogram.Record(microseconds(us));
  CHECK(histogram.Sum() == microseconds(500'500));
}

TEST_CASE("counts at most a bound never include a larger value and miss at most 1/32 below it",
          "[common][latency]") {
  LatencyHistogram histogram;
  for (std::int64_t us = 1; us <= 100'000; ++us) histogram.Record(microseconds(us));
  std::uint64_t previous = 0;
  for (const std::int64_t bound : {0, 1, 10, 31, 32, 500, 1000, 2500, 10'000, 99'999}) {
    const auto counted = histogram.CountAtMost(microseconds(bound));
    INFO("bound " << bound << " us, counted " << counted);
    CHECK(counted <= static_cast<std::uint64_t>(bound));  // values 1..bound are <= bound
    CHECK(counted >= static_cast<std::uint64_t>(bound - bound / 32));
    CHECK(counted >= previous);  // cumulative
    previous = counted;
  }
  CHECK(histogram.CountAtMost(microseconds(100'000)) == 100'000);
  CHECK(histogram.CountAtMost(microseconds(1'000'000)) == 100'000);
  CHECK(histogram.CountAtMost(microseconds(-1)) == 0);
}
