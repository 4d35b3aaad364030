// LatencyHistogram: durations counted in log-linear buckets, for percentiles
// of a long-running service's latencies in constant memory.
//
// Each power of two of microseconds is split into 32 equal buckets, so a
// reported percentile is within about 3% above the true value, whatever the
// scale (1 us to about 12 days). Recording is a few arithmetic instructions
// and one increment; the whole histogram is about 11 KiB. A value is
// reported as the upper bound of its bucket, so percentiles never understate.
//
// Thread-safety: none; the owner serialises Record and the readers (the relay
// records under its own mutex).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace logistics::common {

class LatencyHistogram {
 public:
  void Record(std::chrono::microseconds latency);

  std::uint64_t count() const { return count_; }
  // The q-quantile (0 < q <= 1) by the nearest-rank method, as its bucket's
  // upper bound; 0 when nothing was recorded.
  std::chrono::microseconds Percentile(double q) const;
  // The largest value recorded, exactly.
  std::chrono::microseconds Max() const { return std::chrono::microseconds(max_us_); }
  // The sum of every value recorded, exactly (for a mean, or a Prometheus
  // histogram's _sum).
  std::chrono::microseconds Sum() const { return std::chrono::microseconds(sum_us_); }
  // How many values were recorded in buckets whose upper bound is at most
  // `bound`: every one of them is <= bound, and values within about 3% below
  // `bound` may be left out. Non-decreasing in `bound`, and count() for a
  // bound at or above Max(). For Prometheus buckets (`le`) at fixed bounds.
  std::uint64_t CountAtMost(std::chrono::microseconds bound) const;

 private:
  static constexpr int kSubBits = 5;  // 32 buckets per power of two
  static constexpr int kMagnitudes = 40;
  static constexpr std::size_t kBuckets = (kMagnitudes + 1) << kSubBits;

  static std::size_t BucketOf(std::uint64_t us);
  static std::uint64_t UpperBoundOf(std::size_t bucket);

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_us_ = 0;
  std::uint64_t sum_us_ = 0;
};

}  // namespace logistics::common
