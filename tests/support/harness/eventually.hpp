// Eventually: the only way tests wait.
//
// Tests never sleep for a fixed time: they state the condition they wait for
// (an event arrived, a process exited, a log line appeared) and a bound on how
// long it may take. The condition is checked at once, then every `poll`, and a
// last time at the deadline.
//
// Thread-safety: Eventually runs the condition on the calling thread only; the
// condition must be safe to call concurrently with whatever it observes.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

namespace logistics::testing {

// Returns true as soon as `condition()` returns true, false if it is still
// false when `timeout` has passed. Never throws itself (the condition may).
inline bool Eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10),
                       std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(poll, deadline - now));
  }
}

}  // namespace logistics::testing
