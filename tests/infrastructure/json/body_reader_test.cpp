#include <catch2/catch.hpp>

#include "logistics/json/body_reader.hpp"

using logistics::json::BodyReader;
using logistics::json::FieldProblem;

TEST_CASE("a body that is not JSON, not an object, or too large is refused as a whole",
          "[json]") {
  CHECK(BodyReader::Parse("{nope").error().code == "INVALID_JSON");
  CHECK(BodyReader::Parse("").error().code == "INVALID_JSON");
  CHECK(BodyReader::Parse("[1,2]").error().code == "INVALID_BODY");
  CHECK(BodyReader::Parse("\"text\"").error().code == "INVALID_BODY");
  CHECK(BodyReader::Parse(std::string(100, ' ') + "{}", 64).error().code == "BODY_TOO_LARGE");
  CHECK(BodyReader::Parse("{\"a\":\"\xff\xfe\"}").error().code == "INVALID_JSON");  // bad UTF-8
}

TEST_CASE("every field problem is reported at once, naming its field", "[json]") {
  auto body = BodyReader::Parse(R"({"a": 1, "c": "x", "extra": true, "n": 1.5})");
  REQUIRE(body);
  CHECK_FALSE(body->RequiredString("a"));
  CHECK_FALSE(body->RequiredString("b"));
  CHECK(body->OptionalString("c") == "x");
  CHECK_FALSE(body->OptionalInteger("n", 1, 10));
  const std::vector<FieldProblem> expected{{"a", "must be a string"},
                                           {"b", "is required"},
                                           {"n", "must be an integer from 1 to 10"},
                                           {"extra", "is not allowed"}};
  CHECK(body->Finish() == expected);
}

TEST_CASE("optional fields accept null as absent", "[json]") {
  auto body = BodyReader::Parse(R"({"email": null, "limit": null})");
  REQUIRE(body);
  CHECK_FALSE(body->OptionalString("email"));
  CHECK_FALSE(body->OptionalInteger("limit", 1, 5));
  CHECK(body->Finish().empty());
}

TEST_CASE("string limits count characters, not bytes", "[json]") {
  auto body = BodyReader::Parse(R"({"a": "ééé", "b": "éééé"})");
  REQUIRE(body);
  CHECK(body->RequiredString("a", 3) == "ééé");
  CHECK_FALSE(body->RequiredString("b", 3));
  CHECK(body->Finish() ==
        std::vector<FieldProblem>{{"b", "must be at most 3 characters (got 4)"}});
}

TEST_CASE("integers out of range, including huge ones, are refused", "[json]") {
  auto body = BodyReader::Parse(R"({"a": 0, "b": 18446744073709551615, "c": -5, "d": "5"})");
  REQUIRE(body);
  CHECK_FALSE(body->OptionalInteger("a", 1, 500));
  CHECK_FALSE(body->OptionalInteger("b", 1, 500));
  CHECK_FALSE(body->OptionalInteger("c", 1, 500));
  CHECK_FALSE(body->OptionalInteger("d", 1, 500));
  CHECK(body->Finish().size() == 4);
}

TEST_CASE("a decimal is read as the exact text of a string or the shortest text of a number",
          "[json]") {
  auto body = BodyReader::Parse(R"({"a": 10.5, "b": "10.50", "c": 100, "d": 0.1, "e": true})");
  REQUIRE(body);
  CHECK(body->RequiredDecimal("a") == "10.5");
  CHECK(body->RequiredDecimal("b") == "10.50");
  CHECK(body->RequiredDecimal("c") == "100");
  CHECK(body->RequiredDecimal("d") == "0.1");
  CHECK_FALSE(body->RequiredDecimal("e"));
  CHECK_FALSE(body->RequiredDecimal("missing"));
  CHECK(body->Finish().size() == 2);
}

TEST_CASE("a number beyond a double's range is bad JSON, not a crash", "[json]") {
  auto body = BodyReader::Parse(R"({"limit": 1e400})");
  REQUIRE_FALSE(body);
  CHECK(body.error().code == "INVALID_JSON");
}
