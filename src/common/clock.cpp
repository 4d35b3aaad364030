#include "logistics/common/clock.hpp"

namespace logistics::common {

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now());
}

}  // namespace logistics::common
