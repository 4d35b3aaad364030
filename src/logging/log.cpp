#include "logistics/logging/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "logistics/common/clock.hpp"

namespace logistics::logging {
namespace {

std::string g_service = "logistics";  // written once by ConfigureLogging before threads start
std::atomic<int> g_minimum{static_cast<int>(Level::kInfo)};
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

void ConfigureLogging(std::string service, Level minimum) {
  g_service = std::move(service);
  g_minimum.store(static_cast<int>(minimum));
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_minimum.load(); }

void Log(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  // ordered_json keeps time/level/service/message first, as operators read them.
  nlohmann::ordered_json line;
  line["time"] = common::FormatRfc3339(common::SystemClock().Now());
  line["level"] = ToString(level);
  line["service"] = g_service;
  line["message"] = message;
  for (const Field& field : fields) {
    std::visit(
        [&](const auto& value) {
          if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::string_view>) {
            line[std::string(field.key)] = std::string(value);
          } else {
            line[std::string(field.key)] = value;
          }
        },
        field.value);
  }
  // Invalid UTF-8 in a message (from a client) is replaced, never thrown.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::lock_guard lock(g_write_mutex);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace logistics::logging
