// Request headers out of their bounds (issue 17), against a real nats-server
// and the real orders binary: each is answered 400 INVALID_HEADER naming the
// header before the command runs, so nothing is stored, remembered for the key
// or published, and the answer carries none of the refused values.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "integration/orders_system.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

std::string Tracestate(int members) {
  std::string state;
  for (int i = 0; i < members; ++i) state += (i == 0 ? "k" : ",k") + std::to_string(i) + "=v";
  return state;
}

struct Refused {
  const char* what;
  std::map<std::string, std::string> headers;
  std::string header;  // the one the answer must name
};

std::vector<Refused> RefusedHeaders() {
  return {
      {"a 600 KiB Correlation-Id", {{"Correlation-Id", std::string(600 * 1024, 'c')}},
       "Correlation-Id"},
      {"a 129-character Correlation-Id", {{"Correlation-Id", std::string(129, 'c')}},
       "Correlation-Id"},
      {"a 129-character Nats-Msg-Id", {{"Nats-Msg-Id", std::string(129, 'k')}}, "Nats-Msg-Id"},
      {"a 600 KiB Nats-Msg-Id", {{"Nats-Msg-Id", std::string(600 * 1024, 'k')}}, "Nats-Msg-Id"},
      {"a Nats-Msg-Id with a space", {{"Nats-Msg-Id", "create TRK"}}, "Nats-Msg-Id"},
      {"a Nats-Msg-Id that is not ASCII", {{"Nats-Msg-Id", "cl\xc3\xa9-1"}}, "Nats-Msg-Id"},
      {"a traceparent longer than 55 characters",
       {{"traceparent", std::string(kTraceparent) + "-extra"}}, "traceparent"},
      {"a tracestate longer than 512 characters",
       {{"traceparent", kTraceparent}, {"tracestate", "k=" + std::string(511, 'v')}}, "tracestate"},
      {"a tracestate of 33 list-members",
       {{"traceparent", kTraceparent}, {"tracestate", Tracestate(33)}}, "tracestate"},
  };
}

const json kOrder{{"tracking_number", "HDR-1"}, {"customer_name", "Ana"}, {"origin", "Madrid"},
                  {"destination", "Lisbon"}};

}  // namespace

TEST_CASE("a create with a header out of bounds is answered 400 naming the header, and changes "
          "nothing",
          "[orders][integration][headers]") {
  OrdersSystem system;
  system.StartOrders();

  // One service for every row (sections would start one per row): each is
  // answered at once, 400 INVALID_HEADER naming the header.
  for (const Refused& refused : RefusedHeaders()) {
    INFO("the create carries " << refused.what);
    const auto reply = system.Command("create", kOrder, refused.headers);
    REQUIRE(reply.Status() == 400);
    const json error = reply.Json()["error"];
    CHECK(error["code"] == "INVALID_HEADER");
    CHECK_THAT(error["message"].get<std::string>(), Catch::Contains(refused.header));
    REQUIRE(error["details"].size() == 1);
    CHECK(error["details"][0]["field"] == refused.header);
    CHECK_THAT(reply.headers.at("Nats-Service-Error"), Catch::Contains(refused.header));
    // Nothing of the refused value comes back: the answer stays small.
    CHECK(reply.body.size() < 512);
    CHECK(reply.body.find(refused.headers.at(refused.header)) == std::string::npos);
  }

  // Refused before the command ran: no order, no outbox row, no idempotency
  // record, no event.
  CHECK(system.QueryDatabase("orders.db", "SELECT count(*) FROM orders") == "0");
  CHECK(system.QueryDatabase("orders.db", "SELECT count(*) FROM outbox") == "0");
  CHECK(system.QueryDatabase("orders.db", "SELECT count(*) FROM idempotency") == "0");
  CHECK(system.client().StreamMessageCount("ORDERS") == 0);
}

SCENARIO("a command refused for its headers leaves its key unused, and the next one flows",
         "[orders][integration][headers]") {
  OrdersSystem system;
  system.StartOrders();
  GIVEN("a create with a good key and a Correlation-Id of 129 characters, refused") {
    const auto refused =
        system.Command("create", kOrder,
                       {{"Nats-Msg-Id", "create-HDR-1"}, {"Correlation-Id", std::string(129, 'c')}});
    REQUIRE(refused.Status() == 400);
    WHEN("the same key comes with headers within bounds") {
      const auto created = system.Command(
          "create", kOrder,
          {{"Nats-Msg-Id", "create-HDR-1"}, {"Correlation-Id", "checkout-1"},
           {"traceparent", kTraceparent}, {"tracestate", Tracestate(32)}});
      THEN("the command runs (no refusal was remembered) and its event is published") {
        REQUIRE(created.Status() == 200);
        REQUIRE(system.WaitForEvents(1));
        const auto events = system.Events();
        REQUIRE(events.size() == 1);
        const json event = events[0].Json();
        CHECK(event["correlationid"] == "checkout-1");
        CHECK(event["causationid"] == "create-HDR-1");
        CHECK(event["traceparent"] == kTraceparent);
        CHECK(event["tracestate"] == Tracestate(32));
        CHECK(Eventually([&] {
          return system.QueryDatabase(
                     "orders.db", "SELECT count(*) FROM outbox WHERE published_at IS NULL") == "0";
        }));
      }
    }
  }
}

SCENARIO("a command without a reply subject and with a huge key is rejected on "
         "orders.rejected.create without echoing it",
         "[orders][integration][headers]") {
  OrdersSystem system;
  system.StartOrders();
  auto rejections = system.client().Subscribe("orders.rejected.>");
  const std::string huge_key(600 * 1024, 'k');
  const std::string huge_correlation(300 * 1024, 'c');
  system.client().Publish("orders.cmd.create", kOrder.dump(),
                          {{"Nats-Msg-Id", huge_key}, {"Correlation-Id", huge_correlation}});

  REQUIRE(Eventually([&] { return rejections.Count() == 1; }));
  const auto rejection = rejections.Messages().front();
  CHECK(rejection.subject == "orders.rejected.create");
  CHECK(rejection.data.size() < 1024);
  const json body = rejection.Json();
  CHECK(body["error"]["code"] == "INVALID_HEADER");
  REQUIRE(body["error"]["details"].size() == 2);
  CHECK(body["error"]["details"][0]["field"] == "Nats-Msg-Id");
  CHECK(body["error"]["details"][1]["field"] == "Correlation-Id");
  CHECK(body["command"]["subject"] == "orders.cmd.create");
  CHECK(body["command"]["msg_id"].is_null());
  CHECK(body["command"]["correlation_id"].get<std::string>().size() == 36);  // a generated UUID
  for (const auto& [name, value] : rejection.headers) CHECK(value.size() < 512);
  CHECK(system.QueryDatabase("orders.db", "SELECT count(*) FROM outbox") == "0");
}
