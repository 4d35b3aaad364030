#include "logistics/json/object_writer.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "logistics/json/json_text.hpp"

using logistics::json::ObjectWriter;
using logistics::json::Serialize;

TEST_CASE("an object written directly has its members in call order", "[json][writer]") {
  std::string text;
  ObjectWriter(text)
      .String("order_id", "o-1")
      .OptionalString("driver_id", std::nullopt)
      .OptionalString("reason", std::string("late"))
      .Integer("version", -3)
      .Null("next_cursor")
      .Raw("data", R"({"a":[1,2]})")
      .Close();
  CHECK(text ==
        R"({"order_id":"o-1","driver_id":null,"reason":"late","version":-3,"next_cursor":null,"data":{"a":[1,2]}})");
}

TEST_CASE("strings are escaped byte for byte as Serialize escapes them", "[json][writer]") {
  const std::string value = GENERATE(std::string("plain"), std::string("quote \" and \\ backslash"),
                                     std::string("tab\tnew\nline\rcr\bbs\fff"),
                                     std::string("control \x01\x1f end"), std::string("ñandú 🚚"),
                                     std::string("bad utf-8 \xff\xfe here"), std::string(""));
  std::string text;
  ObjectWriter(text).String("key", value).Close();
  nlohmann::ordered_json expected;
  expected["key"] = value;
  CHECK(text == Serialize(expected));
}
