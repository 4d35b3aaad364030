// The two log formats: JSON for collectors, text for a person at a terminal.
#include "logistics/logging/log_line.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using logistics::logging::FormatLogLine;
using logistics::logging::Level;
using logistics::logging::LogFormat;
using logistics::logging::ParseLogFormat;

namespace {
constexpr const char* kTime = "2026-01-05T10:00:00.123Z";
}  // namespace

TEST_CASE("a text line reads as time, level, service, message and key=value fields", "[logging]") {
  const std::string line =
      FormatLogLine(LogFormat::kText, kTime, Level::kInfo, "orders", "order created",
                    {{"order_id", "0193a5b2"}, {"attempt", 3}, {"paid", true}});
  CHECK(line ==
        "2026-01-05T10:00:00.123Z INFO  orders: order created order_id=0193a5b2 attempt=3 "
        "paid=true\n");
}

TEST_CASE(
    "a text value with spaces, quotes or line breaks is quoted, so it cannot forge a line or a "
    "field",
    "[logging]") {
  const std::string line =
      FormatLogLine(LogFormat::kText, kTime, Level::kWarn, "payments", "refused",
                    {{"reason", "customer asked"},
                     {"name", "x\n2026-01-05T10:00:00.000Z ERROR orders: forged"},
                     {"trick", "a=b"},
                     {"empty", ""}});
  CHECK(line ==
        "2026-01-05T10:00:00.123Z WARN  payments: refused reason=\"customer asked\" "
        "name=\"x\\n2026-01-05T10:00:00.000Z ERROR orders: forged\" trick=\"a=b\" empty=\"\"\n");
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
}

TEST_CASE("a text message with a line break stays on one line", "[logging]") {
  const std::string line =
      FormatLogLine(LogFormat::kText, kTime, Level::kError, "orders", "bad\nthing", {});
  CHECK(line == "2026-01-05T10:00:00.123Z ERROR orders: bad\\nthing\n");
}

TEST_CASE("a json line is one object with time, level, service and message first", "[logging]") {
  const std::string line = FormatLogLine(LogFormat::kJson, kTime, Level::kDebug, "notifications",
                                         "e-mail sent", {{"event_id", "e1"}, {"retry_in_ms", 250}});
  CHECK(line ==
        "{\"time\":\"2026-01-05T10:00:00.123Z\",\"level\":\"debug\",\"service\":\"notifications\","
        "\"message\":\"e-mail sent\",\"event_id\":\"e1\",\"retry_in_ms\":250}\n");
  CHECK(nlohmann::json::parse(line)["retry_in_ms"] == 250);
}

TEST_CASE("the log format is json or text and nothing else", "[logging]") {
  CHECK(ParseLogFormat("json") == LogFormat::kJson);
  CHECK(ParseLogFormat("text") == LogFormat::kText);
  CHECK_FALSE(ParseLogFormat("TEXT"));
  CHECK_FALSE(ParseLogFormat(""));
}
