#include "logistics/common/time.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

namespace {

using logistics::common::FormatRfc3339;
using logistics::common::FromUnixMillis;
using logistics::common::ParseRfc3339;
using logistics::common::Timestamp;
using logistics::common::ToUnixMillis;

// 2026-11-25T09:30:00.123Z, written out independently of the code under test.
Timestamp November25() {
  using namespace std::chrono;
  return sys_days{year{2026} / November / 25} + hours{9} + minutes{30} + seconds{0} +
         milliseconds{123};
}

}  // namespace

TEST_CASE("timestamps convert to and from Unix milliseconds", "[common][time]") {
  CHECK(ToUnixMillis(FromUnixMillis(0)) == 0);
  CHECK(ToUnixMillis(November25()) == 1'795'599'000'123);
  CHECK(FromUnixMillis(1'795'599'000'123) == November25());
}

TEST_CASE("timestamps are formatted in UTC with milliseconds and a Z", "[common][time]") {
  CHECK(FormatRfc3339(FromUnixMillis(0)) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatRfc3339(November25()) == "2026-11-25T09:30:00.123Z");
  CHECK(FormatRfc3339(November25() + std::chrono::milliseconds(877)) == "2026-11-25T09:30:01.000Z");
  CHECK(FormatRfc3339(FromUnixMillis(951'782'400'007)) == "2000-02-29T00:00:00.007Z");
}

TEST_CASE("a formatted timestamp parses back to the same instant", "[common][time]") {
  const std::int64_t millis =
      GENERATE(0, 1, 999, 1'000, 951'782'400'007, 1'795'599'000'123, 4'102'444'799'999);
  const Timestamp time = FromUnixMillis(millis);
  CAPTURE(FormatRfc3339(time));
  CHECK(ParseRfc3339(FormatRfc3339(time)) == time);
}

TEST_CASE("RFC 3339 text with an offset or no fraction is read as the same UTC instant",
          "[common][time]") {
  struct Row {
    const char* text;
    Timestamp expected;
  };
  using std::chrono::milliseconds;
  const Timestamp whole_second = November25() - milliseconds(123);
  const auto row = GENERATE_COPY(values<Row>({
      {"2026-11-25T09:30:00.123Z", November25()},
      {"2026-11-25t09:30:00.123z", November25()},
      {"2026-11-25T10:30:00.123+01:00", November25()},
      {"2026-11-25T04:00:00.123-05:30", November25()},
      {"2026-11-25T09:30:00.123+00:00", November25()},
      {"2026-11-25T09:30:00.123-00:00", November25()},
      {"2026-11-25T09:30:00Z", whole_second},
      {"2026-11-25T09:30:00.1Z", whole_second + milliseconds(100)},
      {"2026-11-25T09:30:00.123999Z", November25()},  // sub-millisecond digits are cut off
      {"2026-11-26T00:30:00.123+15:00", November25()},
  }));
  CAPTURE(row.text);
  CHECK(ParseRfc3339(row.text) == row.expected);
}

TEST_CASE("text that is not an RFC 3339 date-time is rejected", "[common][time]") {
  const std::string text = GENERATE(as<std::string>{},
                                    "",                           // nothing
                                    "not a date",                 //
                                    "2026-02-30T00:00:00Z",       // no such day
                                    "2025-02-29T00:00:00Z",       // not a leap year
                                    "2026-13-01T00:00:00Z",       // month 13
                                    "2026-00-10T00:00:00Z",       // month 0
                                    "2026-04-31T00:00:00Z",       // April has 30 days
                                    "2026-11-25T24:00:00Z",       // hour 24
                                    "2026-11-25T09:60:00Z",       // minute 60
                                    "2026-11-25T09:30:61Z",       // second 61
                                    "2026-11-25T09:30:00",        // no zone
                                    "2026-11-25T09:30:00.123",    // no zone after fraction
                                    "2026-11-25 09:30:00Z",       // space instead of T
                                    "2026-11-25T09:30:00.Z",      // empty fraction
                                    "2026-11-25T09:30:00+0100",   // offset without colon
                                    "2026-11-25T09:30:00+01",     // offset cut short
                                    "2026-11-25T09:30:00+24:00",  // offset hour 24
                                    "2026-11-25T09:30:00ZZ",      // trailing text
                                    "2026-11-25T09:30:00Z ",      // trailing space
                                    "26-11-25T09:30:00Z",         // two-digit year
                                    "2026-1-25T09:30:00Z");       // one-digit month
  CAPTURE(text);
  CHECK_FALSE(ParseRfc3339(text).has_value());
}

TEST_CASE("a leap day in a leap year is a valid date", "[common][time]") {
  const auto parsed = ParseRfc3339("2024-02-29T12:00:00Z");
  REQUIRE(parsed.has_value());
  CHECK(FormatRfc3339(*parsed) == "2024-02-29T12:00:00.000Z");
}
