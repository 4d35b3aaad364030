#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "logistics/messaging/request_metadata.hpp"
#include "logistics/messaging/trace_context.hpp"
#include "support/fakes/sequential_id_generator.hpp"

using namespace logistics::messaging;
using logistics::json::FieldProblem;
using logistics::testing::SequentialIdGenerator;

namespace {

constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// `count` list-members "k<i>=v".
std::string Tracestate(int count) {
  std::string state;
  for (int i = 0; i < count; ++i) state += (i == 0 ? "k" : ",k") + std::to_string(i) + "=v";
  return state;
}

}  // namespace

TEST_CASE("a Nats-Msg-Id or Correlation-Id is up to 128 printable ASCII characters without spaces",
          "[messaging][headers]") {
  struct Row {
    std::string value;
    std::optional<std::string> problem;
  };
  const Row row = GENERATE(
      Row{"create-TRK-1", std::nullopt},
      Row{"0193a5b2-7c1d-7e4f-8a90-123456789abc", std::nullopt},
      Row{"!~", std::nullopt},  // the first and last printable characters
      Row{std::string(128, 'k'), std::nullopt},
      Row{std::string(129, 'k'), "is longer than 128 characters"},
      Row{std::string(600 * 1024, 'k'), "is longer than 128 characters"},
      Row{"two words", "must be printable ASCII without spaces"},
      Row{"tab\there", "must be printable ASCII without spaces"},
      Row{"bell\x07", "must be printable ASCII without spaces"},
      Row{"del\x7f", "must be printable ASCII without spaces"},
      Row{"caf\xc3\xa9", "must be printable ASCII without spaces"});  // UTF-8 bytes
  INFO("value of " << row.value.size() << " characters");
  CHECK(IdHeaderProblem(row.value) == row.problem);
}

TEST_CASE("a traceparent longer than W3C version 00's 55 characters is out of bounds",
          "[messaging][headers]") {
  CHECK(TraceparentProblem(kTraceparent) == std::nullopt);
  CHECK(TraceparentProblem("garbage") == std::nullopt);  // malformed, within bounds: ignored later
  CHECK(TraceparentProblem(std::string(kTraceparent) + "-") ==
        "is longer than 55 characters (W3C trace context version 00)");
}

TEST_CASE("a tracestate is out of bounds past 512 characters or 32 list-members",
          "[messaging][headers]") {
  struct Row {
    std::string value;
    std::optional<std::string> problem;
  };
  const Row row = GENERATE(
      Row{"congo=t61rcWkgMzE", std::nullopt}, Row{std::string(512, 'a'), std::nullopt},
      Row{std::string(513, 'a'), "is longer than 512 characters"},
      Row{Tracestate(32), std::nullopt},
      Row{Tracestate(33), "has more than 32 list-members"},
      // Empty and blank list-members are allowed and count for nothing (W3C).
      Row{Tracestate(32) + ",, ,\t", std::nullopt},
      Row{"not a=valid\x01state", std::nullopt});  // malformed within bounds: ignored later
  INFO(row.value);
  CHECK(TracestateProblem(row.value) == row.problem);
}

TEST_CASE("tracestate list-members are its elements that are not blank", "[messaging][trace]") {
  CHECK(TracestateMemberCount("") == 0);
  CHECK(TracestateMemberCount("a=1") == 1);
  CHECK(TracestateMemberCount("a=1,b=2") == 2);
  CHECK(TracestateMemberCount(" a=1 , ,\t,b=2,") == 2);
  CHECK_FALSE(IsAcceptableTracestate(Tracestate(33)));
  CHECK(IsAcceptableTracestate(Tracestate(32)));
}

TEST_CASE("headers within bounds become the request's metadata", "[messaging][headers]") {
  SequentialIdGenerator ids;
  const auto decoded = DecodeRequestMetadata(
      RequestHeaders{"create-TRK-1", "checkout-991", kTraceparent, "congo=t61rcWkgMzE"}, ids, 4096);
  CHECK(decoded.problems.empty());
  CHECK(decoded.metadata.request_id == "create-TRK-1");
  CHECK(decoded.metadata.request_id_from_client);
  CHECK(decoded.metadata.correlation_id == "checkout-991");
  CHECK(decoded.metadata.traceparent == kTraceparent);
  CHECK(decoded.metadata.tracestate == "congo=t61rcWkgMzE");
  CHECK(decoded.metadata.max_event_bytes == 4096);
  CHECK(ids.issued() == 0);
}

TEST_CASE("absent or empty ids are generated, and a malformed trace context within bounds is "
          "ignored",
          "[messaging][headers]") {
  SequentialIdGenerator ids;
  const auto decoded =
      DecodeRequestMetadata(RequestHeaders{"", std::nullopt, "garbage", "congo=t61rcWkgMzE"}, ids);
  CHECK(decoded.problems.empty());
  CHECK(decoded.metadata.request_id == SequentialIdGenerator::IdAt(1));
  CHECK_FALSE(decoded.metadata.request_id_from_client);
  CHECK(decoded.metadata.correlation_id == SequentialIdGenerator::IdAt(2));
  CHECK_FALSE(decoded.metadata.traceparent);
  CHECK_FALSE(decoded.metadata.tracestate);  // ignored with its traceparent (W3C)
  CHECK(decoded.metadata.max_event_bytes == kDefaultMaxEventBytes);
}

TEST_CASE("every header out of bounds is named, and none of them is kept in the metadata",
          "[messaging][headers]") {
  SequentialIdGenerator ids;
  const std::string huge(600 * 1024, 'c');
  const auto decoded = DecodeRequestMetadata(
      RequestHeaders{std::string(129, 'k'), huge, std::string(kTraceparent) + "-00",
                     Tracestate(33)},
      ids);
  const std::vector<FieldProblem> expected{
      {"Nats-Msg-Id", "is longer than 128 characters"},
      {"Correlation-Id", "is longer than 128 characters"},
      {"traceparent", "is longer than 55 characters (W3C trace context version 00)"},
      {"tracestate", "has more than 32 list-members"}};
  CHECK(decoded.problems == expected);
  // What an answer may carry: generated ids, no trace context.
  CHECK(decoded.metadata.request_id == SequentialIdGenerator::IdAt(1));
  CHECK_FALSE(decoded.metadata.request_id_from_client);
  CHECK(decoded.metadata.correlation_id == SequentialIdGenerator::IdAt(2));
  CHECK_FALSE(decoded.metadata.traceparent);
  CHECK_FALSE(decoded.metadata.tracestate);
}

TEST_CASE("a tracestate out of bounds is refused even beside a valid traceparent",
          "[messaging][headers]") {
  SequentialIdGenerator ids;
  const auto decoded = DecodeRequestMetadata(
      RequestHeaders{std::nullopt, std::nullopt, kTraceparent, std::string(513, 's')}, ids);
  REQUIRE(decoded.problems.size() == 1);
  CHECK(decoded.problems[0].field == "tracestate");
  CHECK(decoded.metadata.traceparent == kTraceparent);
  CHECK_FALSE(decoded.metadata.tracestate);
}
