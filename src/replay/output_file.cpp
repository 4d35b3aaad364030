#include "logistics/replay/output_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "logistics/common/errno_text.hpp"

namespace logistics::replay {
namespace {

// "cannot write out.jsonl: No space left on device". errno is read first:
// building the text at the call site could change it before it is read.
common::Unexpected<ReplayError> Failure(const char* action, const std::string& path) {
  const int error = errno;
  return common::Unexpected{
      ReplayError{ReplayErrorKind::kOutputFailed, std::string(action) + " " + path + ": " + common::ErrnoText(error)}};
}

}  // namespace

common::Result<std::unique_ptr<OutputFile>, ReplayError> OutputFile::Open(const std::string& path) {
  if (path == "-" || path.empty()) {
    return std::unique_ptr<OutputFile>(new OutputFile("-", "", stdout));
  }
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) return Failure("cannot create", temporary);
  return std::unique_ptr<OutputFile>(new OutputFile(path, temporary, file));
}

OutputFile::~OutputFile() {
  if (temporary_.empty()) return;
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) std::remove(temporary_.c_str());
}

common::Result<void, ReplayError> OutputFile::WriteLine(std::string_view line) {
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fputc('\n', file_) == EOF) {
    return Failure("cannot write", path_);
  }
  return {};
}

common::Result<void, ReplayError> OutputFile::Commit() {
  if (std::fflush(file_) != 0) return Failure("cannot write", path_);
  if (temporary_.empty()) return {};
  if (::fsync(::fileno(file_)) != 0) return Failure("cannot sync", temporary_);
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) return Failure("cannot write", temporary_);
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) return Failure("cannot rename to", path_);
  committed_ = true;
  return {};
}

}  // namespace logistics::replay
