// What a client reads when its request body is wrong: plain words, each
// field named once.
#include "logistics/json/body_reader.hpp"

#include <catch2/catch.hpp>

#include "logistics/json/request_verdict.hpp"

using logistics::json::BodyReader;
using logistics::json::BrokenRule;
using logistics::json::FieldProblem;
using logistics::json::RequestVerdict;

TEST_CASE(
    "a body that is not JSON is described by what is wrong and where, without the parser's "
    "internals",
    "[json]") {
  auto parsed = BodyReader::Parse(R"({"order_id": nope})");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().code == "INVALID_JSON");
  const std::string& message = parsed.error().message;
  CHECK_THAT(message,
             Catch::StartsWith(
                 "request body is not valid JSON: syntax error at byte 15 (line 1, column 15): "));
  CHECK_THAT(message, Catch::Contains("invalid literal"));
  CHECK_THAT(message, !Catch::Contains("json.exception"));
  CHECK_THAT(message, !Catch::Contains("parse_error"));
}

TEST_CASE("an empty body and a number beyond a double are named in plain words", "[json]") {
  auto empty = BodyReader::Parse("");
  REQUIRE_FALSE(empty);
  CHECK_THAT(empty.error().message,
             Catch::StartsWith("request body is not valid JSON: syntax error at byte 1"));
  CHECK_THAT(empty.error().message, !Catch::Contains("json.exception"));

  auto huge = BodyReader::Parse(R"({"n": 1e400})");
  REQUIRE_FALSE(huge);
  CHECK(huge.error().message ==
        "request body is not valid JSON: a number is too large (beyond the range of a double)");
}

TEST_CASE("a broken rule among other problems names its field once", "[json]") {
  const std::vector<FieldProblem> shape{{"customer_name", "is required"}};
  const std::vector<BrokenRule> rules{
      {"tracking_number", "TRACKING_NUMBER_EMPTY", "tracking_number must not be empty or blank"}};
  auto verdict = RequestVerdict(shape, rules);
  REQUIRE_FALSE(verdict);
  CHECK(verdict.error().message ==
        "invalid request: customer_name is required; tracking_number must not be empty or blank");
  const std::vector<FieldProblem> expected{{"customer_name", "is required"},
                                           {"tracking_number", "must not be empty or blank"}};
  CHECK(verdict.error().details == expected);
}

TEST_CASE("a single broken rule keeps its own message and code", "[json]") {
  const std::vector<BrokenRule> rules{
      {"tracking_number", "TRACKING_NUMBER_EMPTY", "tracking_number must not be empty or blank"}};
  auto verdict = RequestVerdict({}, rules);
  REQUIRE_FALSE(verdict);
  CHECK(verdict.error().code == "TRACKING_NUMBER_EMPTY");
  CHECK(verdict.error().message == "tracking_number must not be empty or blank");
}
