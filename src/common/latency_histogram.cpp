#include "logistics/common/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace logistics::common {

// Values below 2^kSubBits us get a bucket each; above, a value's bucket is its
// power of two (its highest set bit) and the kSubBits bits below that bit.
std::size_t LatencyHistogram::BucketOf(std::uint64_t us) {
  constexpr std::uint64_t kLinear = std::uint64_t{1} << kSubBits;
  if (us < kLinear) return static_cast<std::size_t>(us);
  const int magnitude = std::bit_width(us) - 1 - kSubBits;  // >= 0
  const std::uint64_t sub = (us >> magnitude) - kLinear;    // 0 .. kLinear-1
  const std::size_t bucket = (static_cast<std::size_t>(magnitude + 1) << kSubBits) + sub;
  return std::min(bucket, kBuckets - 1);
}

std::uint64_t LatencyHistogram::UpperBoundOf(std::size_t bucket) {
  constexpr std::uint64_t kLinear = std::uint64_t{1} << kSubBits;
  if (bucket < kLinear) return bucket;
  const int magnitude = static_cast<int>(bucket >> kSubBits) - 1;
  const std::uint64_t sub = bucket & (kLinear - 1);
  return ((kLinear + sub + 1) << magnitude) - 1;
}

void LatencyHistogram::Record(std::chrono::microseconds latency) {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
  ++buckets_[BucketOf(us)];
  ++count_;
  max_us_ = std::max(max_us_, us);
  sum_us_ += us;
}

std::uint64_t LatencyHistogram::CountAtMost(std::chrono::microseconds bound) const {
  if (bound.count() < 0) return 0;
  const auto limit = static_cast<std::uint64_t>(bound.count());
  if (limit >= max_us_) return count_;
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < kBuckets && UpperBoundOf(bucket) <= limit; ++bucket) {
    seen += buckets_[bucket];
  }
  return seen;
}

std::chrono::microseconds LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return std::chrono::microseconds(0);
  const auto rank = static_cast<std::uint64_t>(
      std::clamp(std::ceil(q * static_cast<double>(count_)), 1.0, static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
    seen += buckets_[bucket];
    if (seen >= rank) {
      return std::chrono::microseconds(std::min(UpperBoundOf(bucket), max_us_));
    }
  }
  return Max();
}

}  // namespace logistics::common
