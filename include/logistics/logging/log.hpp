// Structured logging: one line per call on stderr, as a JSON object (for
// collectors; the default when stderr is not a terminal) or as text (for a
// person; the default on a terminal): --log-format json|text (log_line.hpp).
//
// Every line has "time" (RFC 3339 UTC, ms), "level", "service" and "message",
// then the caller's fields in the order given, e.g.
//   {"time":"...","level":"info","service":"orders","message":"order created",
//    "order_id":"0193...","correlation_id":"..."}
//   2026-01-05T10:00:00.123Z INFO  orders: order created order_id=0193... correlation_id=...
// Messages and field values are escaped, so user input cannot forge lines.
// Never pass secrets (passwords, tokens, credentials) as fields.
//
// The logger is process-wide: main() calls ConfigureLogging once, before other
// threads start; after that Log may be called from any thread (a line is
// formatted outside the lock and written with one fwrite under it).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace logistics::logging {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kJson, kText };

// "debug", "info", "warn" (or "warning"), "error"; nullopt for anything else.
std::optional<Level> ParseLevel(std::string_view text);
std::string_view ToString(Level level);

// A field refers to its value rather than copying it: fields live only for
// the call they are passed to, and a disabled level then costs no copies.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>>
  Field(std::string_view k, I v) : key(k), value(static_cast<std::int64_t>(v)) {}

  std::string_view key;
  std::variant<std::string_view, std::int64_t, double, bool> value;
};

// Text when stderr is a terminal, JSON otherwise.
LogFormat DefaultLogFormat();

void ConfigureLogging(std::string service, Level minimum, LogFormat format = DefaultLogFormat());
bool Enabled(Level level);

void Log(Level level, std::string_view message, std::initializer_list<Field> fields = {});
inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) { Log(Level::kDebug, m, f); }
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) { Log(Level::kInfo, m, f); }
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) { Log(Level::kWarn, m, f); }
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) { Log(Level::kError, m, f); }

}  // namespace logistics::logging
