#include "logistics/common/utf8.hpp"

#include <catch2/catch.hpp>
#include <string>

using logistics::common::CountCodePoints;
using logistics::common::IsBlank;

TEST_CASE("code points are counted, not bytes", "[common][utf8]") {
  struct Row {
    std::string text;
    std::size_t code_points;
  };
  const auto row = GENERATE(values<Row>({
      {"", 0},
      {"Madrid", 6},
      {"\xC5\x81\xC3\xB3\x64\xC5\xBA", 4},  // "Łódź": two-byte letters
      {"\xC3\xA9", 1},                      // "é"
      {"\xE6\x97\xA5\xE6\x9C\xAC", 2},      // "日本": three bytes each
      {"\xF0\x9F\x9A\x9A", 1},              // U+1F69A delivery truck: four bytes
      {"a\xC3\xA9\xE6\x97\xA5\xF0\x9F\x9A\x9A", 4},
      {std::string("a\0b", 3), 3},  // NUL is a code point like any other
  }));
  CAPTURE(row.text);
  CHECK(CountCodePoints(row.text) == row.code_points);
}

TEST_CASE("ill-formed UTF-8 has no code point count", "[common][utf8]") {
  const std::string text = GENERATE(as<std::string>{},
                                    "\x80",              // continuation byte without a lead
                                    "abc\xBF",           // stray continuation at the end
                                    "\xC3",              // lead byte cut off
                                    "\xE6\x97",          // three-byte sequence cut off
                                    "\xF0\x9F\x9A",      // four-byte sequence cut off
                                    "\xC3\x41",          // lead byte followed by ASCII
                                    "\xC0\xAF",          // overlong encoding of '/'
                                    "\xC1\xBF",          // overlong two-byte form
                                    "\xF5\x80\x80\x80",  // lead byte beyond U+10FFFF
                                    "\xFF",              // never valid in UTF-8
                                    "\xFE");
  CAPTURE(text);
  CHECK_FALSE(CountCodePoints(text).has_value());
}

TEST_CASE("text is blank when empty or only ASCII white space", "[common][utf8]") {
  CHECK(IsBlank(""));
  CHECK(IsBlank(" "));
  CHECK(IsBlank(" \t\r\n\f\v"));
  CHECK_FALSE(IsBlank("a"));
  CHECK_FALSE(IsBlank("  a  "));
  CHECK_FALSE(IsBlank("\xC3\xA9"));
}
