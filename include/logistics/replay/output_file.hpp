// OutputFile: where an export writes its lines, all or nothing.
//
// "-" is standard output, written as it goes. Any other path is written to a
// temporary file beside it ("<path>.tmp-<pid>") and renamed over the path by
// Commit(), so a failed or interrupted export never leaves a truncated file
// where a complete one is expected. An uncommitted temporary file is removed
// by the destructor.
//
// Ownership: owns the temporary file until Commit. Thread-safety: none; one
// writer.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/replay/replay_error.hpp"

namespace logistics::replay {

class OutputFile {
 public:
  // Fails with kOutputFailed when the temporary file cannot be created.
  static common::Result<std::unique_ptr<OutputFile>, ReplayError> Open(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Writes `line` and a newline. Fails with kOutputFailed (disk full, closed pipe).
  common::Result<void, ReplayError> WriteLine(std::string_view line);
  // Flushes, syncs and renames into place (flushes only for standard output).
  common::Result<void, ReplayError> Commit();

 private:
  OutputFile(std::string path, std::string temporary, std::FILE* file)
      : path_(std::move(path)), temporary_(std::move(temporary)), file_(file) {}

  std::string path_;
  std::string temporary_;  // "" for standard output
  std::FILE* file_;
  bool committed_ = false;
};

}  // namespace logistics::replay
