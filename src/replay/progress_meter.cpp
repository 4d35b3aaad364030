#include "logistics/replay/progress_meter.hpp"

#include <cstdio>

namespace logistics::replay {

ProgressMeter::ProgressMeter(std::string verb, bool enabled)
    : verb_(std::move(verb)), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_shown_(start_) {}

void ProgressMeter::Update(std::uint64_t count) {
  if (!enabled_) return;
  // A second of quiet first: short runs need no meter.
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_shown_ < std::chrono::milliseconds(200)) return;
  last_shown_ = now;
  Show(count);
}

void ProgressMeter::Finish(std::uint64_t count) {
  if (!enabled_ || !shown_) return;
  Show(count);
  std::fputc('\n', stderr);
}

void ProgressMeter::Show(std::uint64_t count) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(count) / elapsed : 0.0;
  std::fprintf(stderr, "\r%s %llu events, %.0f/s, %.1f s  ", verb_.c_str(),
               static_cast<unsigned long long>(count), rate, elapsed);
  std::fflush(stderr);
  shown_ = true;
}

}  // namespace logistics::replay
