// Latencies: the durations a load generator measured, and their percentiles.
//
// Values are kept whole (not bucketed): a bench run holds at most a few
// hundred thousand of them, and exact percentiles are easier to trust than
// approximate ones.
//
// Thread-safety: none; fill it from one thread or under the caller's lock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace logistics::bench {

class Latencies {
 public:
  void Reserve(std::size_t count) { values_us_.reserve(count); }
  void Add(std::chrono::nanoseconds duration) {
    values_us_.push_back(static_cast<double>(duration.count()) / 1000.0);
    sorted_ = false;
  }
  std::size_t count() const { return values_us_.size(); }

  // The q-quantile (0 <= q <= 1) in microseconds, by the nearest-rank method;
  // 0 when empty.
  double PercentileUs(double q) {
    if (values_us_.empty()) return 0;
    if (!sorted_) {
      std::sort(values_us_.begin(), values_us_.end());
      sorted_ = true;
    }
    const auto rank = static_cast<std::size_t>(q * static_cast<double>(values_us_.size()));
    return values_us_[std::min(rank, values_us_.size() - 1)];
  }

 private:
  std::vector<double> values_us_;
  bool sorted_ = false;
};

}  // namespace logistics::bench
