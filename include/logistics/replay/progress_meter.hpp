// ProgressMeter: a one-line progress report on stderr for long runs.
//
// "exported 12345 events, 8210/s, 1.5 s", rewritten in place at most five
// times a second, and only when enabled (the tool enables it when stderr is a
// terminal and --quiet was not given, so logs and pipes stay clean). Finish()
// ends the line.
//
// Thread-safety: none; updated from the thread doing the work.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace logistics::replay {

class ProgressMeter {
 public:
  // `verb` starts the line: "exported".
  ProgressMeter(std::string verb, bool enabled);

  void Update(std::uint64_t count);
  // Writes the final figures and a newline, if anything was shown.
  void Finish(std::uint64_t count);

 private:
  void Show(std::uint64_t count);

  std::string verb_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_shown_;
};

}  // namespace logistics::replay
