#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "logistics/messaging/error_reply.hpp"

using namespace logistics::messaging;
using logistics::json::FieldProblem;

TEST_CASE("headers out of bounds are answered 400 INVALID_HEADER naming each header",
          "[messaging][headers]") {
  const ErrorReply reply =
      InvalidHeader({{"Correlation-Id", "is longer than 128 characters"},
                     {"tracestate", "has more than 32 list-members"}});
  CHECK(reply.status == 400);
  CHECK(reply.code == "INVALID_HEADER");
  CHECK(reply.message ==
        "header Correlation-Id is longer than 128 characters; "
        "header tracestate has more than 32 list-members");
  const auto body = nlohmann::json::parse(reply.Body());
  CHECK(body["error"]["details"][0]["field"] == "Correlation-Id");
  CHECK(body["error"]["details"][1]["field"] == "tracestate");
}

TEST_CASE("an event too large for the message server is answered 400 EVENT_TOO_LARGE, its "
          "cause kept out of the reply",
          "[messaging]") {
  const ErrorReply reply = PortFailureReply(
      "orders command", logistics::common::PortError{
                            "event e1 would take 5000 bytes on the wire; the NATS server "
                            "accepts at most 4096",
                            logistics::common::PortErrorKind::kEventTooLarge});
  CHECK(reply.status == 400);
  CHECK(reply.code == "EVENT_TOO_LARGE");
  CHECK(reply.message.find("e1") == std::string::npos);
}
