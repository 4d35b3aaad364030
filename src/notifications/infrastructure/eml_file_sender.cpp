#include "logistics/notifications/infrastructure/eml_file_sender.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "logistics/common/errno_text.hpp"

namespace logistics::notifications::infrastructure {
namespace {

using application::SendFailure;
using SendResult = common::Result<void, SendFailure>;

common::Unexpected<SendFailure> Transient(std::string message) {
  return common::Unexpected<SendFailure>{SendFailure{true, std::move(message)}};
}

// FNV-1a, 64 bits: a hash that is the same on every build and platform, so a
// file name made from it stays the same across restarts and upgrades.
std::uint64_t StableHash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

// The file's name without ".eml": the Message-ID's left part, kept to
// characters every file system accepts. When that loses anything, a hash of
// the whole Message-ID keeps different messages apart.
std::string FileId(std::string_view message_id) {
  std::string_view id = message_id;
  if (!id.empty() && id.front() == '<') id.remove_prefix(1);
  if (const std::size_t at = id.rfind('@'); at != std::string_view::npos) id = id.substr(0, at);
  constexpr std::size_t kMaxLength = 128;
  std::string name;
  bool lossy = id.empty() || id.front() == '.' || id.size() > kMaxLength;
  for (const char c : id.substr(0, kMaxLength)) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    name += safe ? c : '_';
    lossy = lossy || !safe;
  }
  if (name.empty() || name.front() == '.') name.insert(0, "mail");
  if (lossy) {
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, "-%016llx",
                  static_cast<unsigned long long>(StableHash(message_id)));
    name += suffix;
  }
  return name;
}

std::string ErrnoText(std::string_view what, const std::filesystem::path& path, int error) {
  return "eml: " + std::string(what) + " " + path.string() + ": " + common::ErrnoText(error);
}

// Writes all of `data` to a new file and flushes it to disk; errno-style
// failure text otherwise (the file is removed).
std::optional<std::string> WriteDurably(const std::filesystem::path& path, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoText("cannot create", path, errno);
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return ErrnoText("cannot write", path, error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return ErrnoText("cannot flush", path, error);
  }
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(path.c_str());
    return ErrnoText("cannot close", path, error);
  }
  return std::nullopt;
}

}  // namespace

SendResult EmlFileSender::Send(const domain::Mail& mail, std::string_view message_id) {
  if (!IsUsableAddress(mail.to_address)) {
    return common::Unexpected<SendFailure>{SendFailure{
        false, "recipient address '" + SanitizeHeaderValue(mail.to_address) + "' cannot be used"}};
  }
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error) return Transient("eml: cannot create " + dir_.string() + ": " + error.message());

  const std::string message = FormatMimeMessage(mail, from_, message_id, clock_.Now());
  // Named by the Message-ID alone (never the time), so a re-send of the same
  // message replaces its file: the redelivery after a crash between the send
  // and the commit leaves one file, not two.
  const std::string name = FileId(message_id) + ".eml";
  // A hidden temporary name, unique per process and call, so readers that
  // list *.eml never see a partial file and concurrent sends never collide.
  static std::atomic<unsigned long> counter{0};
  const std::filesystem::path temporary =
      dir_ / ("." + name + "." + std::to_string(::getpid()) + "." +
              std::to_string(counter.fetch_add(1)) + ".tmp");
  const std::filesystem::path final_path = dir_ / name;

  if (auto failed = WriteDurably(temporary, message)) return Transient(std::move(*failed));
  std::filesystem::rename(temporary, final_path, error);
  if (error) {
    std::string failure = "eml: cannot rename to " + final_path.string() + ": " + error.message();
    std::filesystem::remove(temporary, error);
    return Transient(std::move(failure));
  }
  // The rename is durable once the directory is flushed too.
  if (const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    const bool flushed = ::fsync(dir_fd) == 0;
    const int flush_error = errno;
    ::close(dir_fd);
    if (!flushed) return Transient(ErrnoText("cannot flush", dir_, flush_error));
  }
  return {};
}

}  // namespace logistics::notifications::infrastructure
