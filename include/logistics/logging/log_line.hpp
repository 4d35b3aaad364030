// LogLine: how one log line is written, in either of the two formats.
//
//   json  one JSON object per line, for collectors (the default when stderr
//         is not a terminal):
//           {"time":"2026-01-05T10:00:00.123Z","level":"info","service":"orders",
//            "message":"order created","order_id":"0193..."}
//   text  for a person at a terminal (the default there):
//           2026-01-05T10:00:00.123Z INFO  orders: order created order_id=0193...
//         a value with a space, a quote, '=' or a control character is
//         written as a JSON string ("customer asked"), so no value can start
//         a line of its own or pass for another field.
//
// Both are pure functions of their arguments (log.cpp adds the time and the
// process's service name), hence testable without a process.
//
// Thread-safety: pure functions.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "logistics/logging/log.hpp"

namespace logistics::logging {

// "json" or "text"; nullopt for anything else.
std::optional<LogFormat> ParseLogFormat(std::string_view text);
std::string_view ToString(LogFormat format);

// The line, with its trailing newline. Invalid UTF-8 (from a client) is
// replaced, never thrown.
std::string FormatLogLine(LogFormat format, std::string_view time, Level level,
                          std::string_view service, std::string_view message,
                          std::initializer_list<Field> fields);

}  // namespace logistics::logging
