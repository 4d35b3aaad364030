#include "logistics/notifications/infrastructure/eml_file_sender.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

namespace logistics::notifications::infrastructure {
namespace {

using application::SendFailure;
using SendResult = common::Result<void, SendFailure>;

common::Unexpected<SendFailure> Transient(std::string message) {
  return common::Unexpected<SendFailure>{SendFailure{true, std::move(message)}};
}

// "20260101T000000.000Z": sorts like time, and is safe in any file system.
std::string FileTime(common::Timestamp time) {
  using namespace std::chrono;
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  char buffer[32];
  std::snprintf(
      buffer, sizeof buffer, "%04d%02u%02uT%02d%02d%02d.%03dZ", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return buffer;
}

// The Message-ID's left part, kept to characters every file system accepts.
std::string FileId(std::string_view message_id) {
  std::string_view id = message_id;
  if (!id.empty() && id.front() == '<') id.remove_prefix(1);
  if (const std::size_t at = id.rfind('@'); at != std::string_view::npos) id = id.substr(0, at);
  std::string name;
  for (const char c : id) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    name += safe ? c : '_';
  }
  if (name.empty() || name.front() == '.') name.insert(0, "mail");
  return name.substr(0, 128);
}

std::string ErrnoText(std::string_view what, const std::filesystem::path& path, int error) {
  return "eml: " + std::string(what) + " " + path.string() + ": " + std::strerror(error);
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

  const common::Timestamp now = clock_.Now();
  const std::string message = FormatMimeMessage(mail, from_, message_id, now);
  const std::string name = FileTime(now) + "-" + FileId(message_id) + ".eml";
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
