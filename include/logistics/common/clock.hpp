// Clock: the port through which code asks what time it is.
//
// Business code never reads the system clock directly, so tests can pin time
// with a fixed clock (tests/support/fakes/fixed_clock.hpp). SystemClock is the
// production adapter.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include "logistics/common/time.hpp"

namespace logistics::common {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time in UTC, truncated to milliseconds. Never fails.
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

}  // namespace logistics::common
