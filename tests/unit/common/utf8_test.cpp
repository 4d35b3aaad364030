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

TEST_CASE("overlong forms, surrogates and code points above U+10FFFF are ill-formed",
          "[common][utf8]") {
  using logistics::common::CountCodePoints;
  CHECK_FALSE(CountCodePoints("\xE0\x80\x80"));      // overlong U+0000
  CHECK_FALSE(CountCodePoints("\xF0\x80\x80\x80"));  // overlong
  CHECK_FALSE(CountCodePoints("\xED\xA0\x80"));      // surrogate U+D800
  CHECK_FALSE(CountCodePoints("\xF4\x90\x80\x80"));  // U+110000
  CHECK(CountCodePoints("\xE0\xA0\x80") == 1u);      // U+0800, the first 3-byte code point
  CHECK(CountCodePoints("\xED\x9F\xBF") == 1u);      // U+D7FF, just below the surrogates
  CHECK(CountCodePoints("\xF4\x8F\xBF\xBF") == 1u);  // U+10FFFF, the last code point
}
