// Idempotent commands (Nats-Msg-Id) on the real services.
#include <catch2/catch.hpp>

#include <set>

#include "integration/orders_system.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

const json kOrder{{"tracking_number", "IDEM-1"}, {"customer_name", "Ana"}, {"origin", "A"},
                  {"destination", "B"}};

}  // namespace

TEST_CASE("a repeated command returns the first reply byte for byte and changes nothing",
          "[idempotency][integration]") {
  OrdersSystem system;
  system.StartOrders();
  auto first = system.Command("create", kOrder, {{"Nats-Msg-Id", "create-idem-1"}});
  REQUIRE(first.Status() == 200);
  auto again = system.Command("create", kOrder, {{"Nats-Msg-Id", "create-idem-1"}});
  REQUIRE(again.Status() == 200);
  CHECK(again.body == first.body);
  REQUIRE(system.WaitForEvents(1));

  // Without the key the same body is a new command: a duplicate tracking number.
  CHECK(system.Command("create", kOrder).Status() == 409);
  auto listed = system.Query("list", json::object());
  CHECK(listed.Json()["orders"].size() == 1);
  CHECK(system.Events().size() == 1);
}

TEST_CASE("a key reused with another body answers 409 IDEMPOTENCY_KEY_REUSED",
          "[idempotency][integration]") {
  OrdersSystem system;
  system.StartOrders();
  REQUIRE(system.Command("create", kOrder, {{"Nats-Msg-Id", "k-1"}}).Status() == 200);
  json other = kOrder;
  other["tracking_number"] = "IDEM-2";
  auto reused = system.Command("create", other, {{"Nats-Msg-Id", "k-1"}});
  CHECK(reused.Status() == 409);
  CHECK(reused.Json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED");
  CHECK(system.Query("get", {{"tracking_number", "IDEM-2"}}).Status() == 404);
}

TEST_CASE("identical keyed requests in flight at once have one effect",
          "[idempotency][integration]") {
  OrdersSystem system;
  system.StartOrders();
  auto replies = system.RequestConcurrently("orders.cmd.create", 30, [](int) { return kOrder.dump(); },
                                            {{"Nats-Msg-Id", "burst-key"}});
  std::set<std::string> bodies;
  for (const auto& reply : replies) {
    REQUIRE(reply.Status() == 200);
    bodies.insert(reply.body);
  }
  CHECK(bodies.size() == 1);
  REQUIRE(system.WaitForEvents(1));
  CHECK(system.Query("list", json::object()).Json()["orders"].size() == 1);
  CHECK(system.Events().size() == 1);
}

TEST_CASE("a rejected command's reply is remembered too", "[idempotency][integration]") {
  OrdersSystem system;
  system.StartOrders();
  const std::string id = system.Create("IDEM-R").Json()["order_id"];
  auto refused = system.Command("deliver", {{"order_id", id}}, {{"Nats-Msg-Id", "deliver-1"}});
  REQUIRE(refused.Status() == 409);
  auto repeated = system.Command("deliver", {{"order_id", id}}, {{"Nats-Msg-Id", "deliver-1"}});
  CHECK(repeated.Status() == 409);
  CHECK(repeated.body == refused.body);
  CHECK(repeated.headers.at("Nats-Service-Error") == refused.headers.at("Nats-Service-Error"));
}

TEST_CASE("after the retention a key is forgotten and the command runs again",
          "[idempotency][integration]") {
  OrdersSystem system;
  system.StartOrders({{"IDEMPOTENCY_RETENTION_SECONDS", "1"}});
  const std::string id = system.Create("IDEM-E").Json()["order_id"];
  const json assign{{"order_id", id}, {"driver_id", "d1"}};
  auto first = system.Command("assign", assign, {{"Nats-Msg-Id", "assign-1"}});
  REQUIRE(first.Json()["version"] == 2);
  CHECK(system.Command("assign", assign, {{"Nats-Msg-Id", "assign-1"}}).Json()["version"] == 2);
  // Once the record expires the same key is a new command: a re-assign.
  CHECK(Eventually([&] {
    return system.Command("assign", assign, {{"Nats-Msg-Id", "assign-1"}}).Json()["version"] == 3;
  }, std::chrono::seconds(10), std::chrono::milliseconds(200)));
}

TEST_CASE("payments commands are idempotent the same way", "[idempotency][integration]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  const std::string id = system.Create("IDEM-P").Json()["order_id"];
  auto first = system.Payments("register", {{"order_id", id}, {"amount", "12.34"}},
                               {{"Nats-Msg-Id", "pay-1"}});
  REQUIRE(first.Status() == 200);
  auto again = system.Payments("register", {{"order_id", id}, {"amount", "12.34"}},
                               {{"Nats-Msg-Id", "pay-1"}});
  CHECK(again.body == first.body);
  CHECK(system.Payments("list", {{"order_id", id}}).Json()["payments"].size() == 1);
}
