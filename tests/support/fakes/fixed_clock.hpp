// FixedClock: a Clock whose time moves only when a test says so.
//
// Tests pin "now" to a known instant, then Set() or Advance() it between
// steps, so every timestamp a use case writes (created_at, updated_at, event
// times) is predictable. The default start, 2026-01-01T00:00:00.000Z, is an
// arbitrary instant with no special meaning.
//
// Ownership: a plain object; code under test borrows it as a `const Clock&`.
// Thread-safety: Now(), Set() and Advance() may be called from any thread
// (the time is held in an atomic), as the Clock contract requires.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "logistics/common/clock.hpp"

namespace logistics::testing {

class FixedClock final : public common::Clock {
 public:
  // 2026-01-01T00:00:00.000Z.
  static constexpr std::int64_t kDefaultStartMillis = 1'767'225'600'000;

  explicit FixedClock(common::Timestamp start = common::FromUnixMillis(kDefaultStartMillis))
      : millis_(common::ToUnixMillis(start)) {}

  common::Timestamp Now() const override { return common::FromUnixMillis(millis_.load()); }

  // Moves the clock to `time`, forwards or backwards.
  void Set(common::Timestamp time) { millis_.store(common::ToUnixMillis(time)); }

  // Moves the clock forwards by `step` (backwards when negative); returns the
  // new time.
  common::Timestamp Advance(std::chrono::milliseconds step = std::chrono::milliseconds(1)) {
    return common::FromUnixMillis(millis_.fetch_add(step.count()) + step.count());
  }

 private:
  std::atomic<std::int64_t> millis_;
};

}  // namespace logistics::testing
