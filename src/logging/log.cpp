#include "logistics/logging/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "logistics/common/clock.hpp"
#include "logistics/logging/log_line.hpp"

namespace logistics::logging {
namespace {

std::string g_service = "logistics";  // written once by ConfigureLogging before threads start
std::atomic<int> g_minimum{static_cast<int>(Level::kInfo)};
LogFormat g_format = LogFormat::kJson;  // written once by ConfigureLogging before threads start
std::mutex g_write_mutex;

}  // namespace

std::optional<Level> ParseLevel(std::string_view text) {
  if (text == "debug") return Level::kDebug;
  if (text == "info") return Level::kInfo;
  if (text == "warn" || text == "warning") return Level::kWarn;
  if (text == "error") return Level::kError;
  return std::nullopt;
}

std::string_view ToString(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "unknown";
}

LogFormat DefaultLogFormat() { return ::isatty(STDERR_FILENO) == 1 ? LogFormat::kText : LogFormat::kJson; }

void ConfigureLogging(std::string service, Level minimum, LogFormat format) {
  g_service = std::move(service);
  g_format = format;
  g_minimum.store(static_cast<int>(minimum));
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_minimum.load(); }

void Log(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  const std::string text = FormatLogLine(g_format, common::FormatRfc3339(common::SystemClock().Now()), level,
                                         g_service, message, fields);
  std::lock_guard lock(g_write_mutex);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace logistics::logging
