#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "logistics/messaging/cloud_event.hpp"

using logistics::messaging::CloudEvent;

TEST_CASE("a CloudEvent becomes a structured-mode message keyed by its id", "[messaging]") {
  CloudEvent event;
  event.id = "0193a5b2-7c1d-7e4f-8a90-123456789abc";
  event.source = "/logistics/orders";
  event.type = "logistics.order.created.v1";
  event.subject = "order-1";
  event.time = logistics::common::FromUnixMillis(1764000000123);
  event.aggregate_version = 3;
  event.correlation_id = "corr";
  event.causation_id = "cause";
  event.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  event.data = R"({"order_id":"order-1"})";
  const auto message = ToOutboxMessage(event, "orders.events.order-1.created");

  CHECK(message.event_id == event.id);
  CHECK(message.subject == "orders.events.order-1.created");
  const logistics::messaging::Headers expected{
      {"Nats-Msg-Id", event.id},
      {"Content-Type", "application/cloudevents+json"},
      {"Correlation-Id", "corr"},
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  CHECK(message.headers == expected);
  const auto body = nlohmann::json::parse(message.payload);
  CHECK(body["specversion"] == "1.0");
  CHECK(body["id"] == event.id);
  CHECK(body["time"] == "2025-11-24T16:00:00.123Z");
  CHECK(body["datacontenttype"] == "application/json");
  CHECK(body["aggregateversion"] == 3);
  CHECK(body["correlationid"] == "corr");
  CHECK(body["causationid"] == "cause");
  CHECK(body["traceparent"] == event.traceparent);
  CHECK_FALSE(body.contains("tracestate"));
  CHECK(body["data"]["order_id"] == "order-1");
}

#include "logistics/messaging/trace_context.hpp"

TEST_CASE("only a well-formed W3C traceparent is carried", "[messaging][trace]") {
  using logistics::messaging::IsValidTraceparent;
  CHECK(IsValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  CHECK_FALSE(IsValidTraceparent("garbage"));
  CHECK_FALSE(IsValidTraceparent(""));
  CHECK_FALSE(IsValidTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  CHECK_FALSE(IsValidTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  CHECK_FALSE(IsValidTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  CHECK_FALSE(IsValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
  CHECK(logistics::messaging::IsAcceptableTracestate("congo=t61rcWkgMzE"));
  CHECK_FALSE(logistics::messaging::IsAcceptableTracestate(std::string(513, 'a')));
  CHECK_FALSE(logistics::messaging::IsAcceptableTracestate("a=\x01"));
}

#include "logistics/nats/connection.hpp"

TEST_CASE("a NATS URL's password never reaches a log", "[nats]") {
  using logistics::nats::RedactUrl;
  CHECK(RedactUrl("nats://ana:s3cret@127.0.0.1:4222") == "nats://ana:***@127.0.0.1:4222");
  CHECK(RedactUrl("nats://s3cret-token@host:4222") == "nats://***@host:4222");
  CHECK(RedactUrl("nats://127.0.0.1:4222") == "nats://127.0.0.1:4222");
  CHECK(RedactUrl("nats://a:b@h1:4222,nats://c:d@h2:4222") == "nats://a:***@h1:4222,nats://c:***@h2:4222");
}
