#include "logistics/logging/log_line.hpp"

#include <nlohmann/json.hpp>
#include <type_traits>

namespace logistics::logging {
namespace {

constexpr auto kReplaceInvalidUtf8 = nlohmann::json::error_handler_t::replace;

std::string JsonLine(std::string_view time, Level level, std::string_view service,
                     std::string_view message, std::initializer_list<Field> fields) {
  // ordered_json keeps time/level/service/message first, as operators read them.
  nlohmann::ordered_json line;
  line["time"] = time;
  line["level"] = ToString(level);
  line["service"] = service;
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
  std::string text = line.dump(-1, ' ', false, kReplaceInvalidUtf8);
  text.push_back('\n');
  return text;
}

std::string Quoted(std::string_view text) {
  return nlohmann::json(std::string(text)).dump(-1, ' ', false, kReplaceInvalidUtf8);
}

// Bare when it cannot be mistaken for anything else, else a JSON string.
std::string TextValue(std::string_view value) {
  bool bare = !value.empty();
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F || c == '"' || c == '=' || c == '\\') bare = false;
  }
  const std::string quoted = Quoted(value);
  return bare ? quoted.substr(1, quoted.size() - 2) : quoted;
}

std::string TextLine(std::string_view time, Level level, std::string_view service,
                     std::string_view message, std::initializer_list<Field> fields) {
  std::string upper(ToString(level));
  for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
  upper.resize(5, ' ');  // the messages start in one column
  std::string text = std::string(time) + " " + upper + " " + std::string(service) + ": ";
  // The message is the caller's own words, but may quote a client: escaped
  // as a value is, without the quotes when it needs none but spaces.
  const std::string escaped = Quoted(message);
  text += escaped.substr(1, escaped.size() - 2);
  for (const Field& field : fields) {
    text += " " + std::string(field.key) + "=";
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            text += TextValue(value);
          } else if constexpr (std::is_same_v<T, bool>) {
            text += value ? "true" : "false";
          } else {
            text += nlohmann::json(value).dump();
          }
        },
        field.value);
  }
  text.push_back('\n');
  return text;
}

}  // namespace

std::optional<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "json") return LogFormat::kJson;
  if (text == "text") return LogFormat::kText;
  return std::nullopt;
}

std::string_view ToString(LogFormat format) {
  switch (format) {
    case LogFormat::kJson:
      return "json";
    case LogFormat::kText:
      return "text";
  }
  return "json";
}

std::string FormatLogLine(LogFormat format, std::string_view time, Level level,
                          std::string_view service, std::string_view message,
                          std::initializer_list<Field> fields) {
  switch (format) {
    case LogFormat::kJson:
      return JsonLine(time, level, service, message, fields);
    case LogFormat::kText:
      return TextLine(time, level, service, message, fields);
  }
  return JsonLine(time, level, service, message, fields);
}

}  // namespace logistics::logging
