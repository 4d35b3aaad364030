// The relay against a server that refuses some publishes while it stays up
// (a stream whose limits an operator set too tight), and consumers against
// copies of events: rows are marked published only on their PubAck, the relay
// never goes past a refused row, and a copy has no second effect.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "integration/orders_system.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using logistics::testing::StreamMessage;
using nlohmann::json;

namespace {

std::string Unpublished(OrdersSystem& system) {
  return system.QueryDatabase("orders.db", "SELECT count(*) FROM outbox WHERE published_at IS NULL");
}

}  // namespace

SCENARIO("an event the stream refuses stays unpublished, and nothing after it goes out before it",
         "[orders][integration][relay]") {
  OrdersSystem system;
  system.PutStream("ORDERS", "orders.events.>");
  system.StartOrders();
  const std::string order_id = system.Create("REFUSED-1").Json()["order_id"];
  REQUIRE(system.WaitForEvents(1));
  // A limit just above the size of that event (headers included): version 2
  // carries a 100-character driver id and exceeds it; version 3 fits again.
  const auto first = system.Events().front();
  std::size_t header_bytes = 0;
  for (const auto& [name, value] : first.headers) header_bytes += name.size() + value.size() + 4;
  system.PutStream("ORDERS", "orders.events.>", static_cast<std::int32_t>(first.data.size() + header_bytes + 60));
  const std::string long_driver(100, 'd');
  REQUIRE(system.Command("assign", {{"order_id", order_id}, {"driver_id", long_driver}}).Status() == 200);
  REQUIRE(system.Command("assign", {{"order_id", order_id}, {"driver_id", "short"}}).Status() == 200);

  // The refusal is seen and retried, not marked, not skipped.
  REQUIRE(Eventually([&] { return system.Status("orders")["relay"]["failed_attempts"].get<int>() >= 2; }));
  CHECK(Unpublished(system) == "2");
  CHECK(system.client().StreamMessageCount("ORDERS") == 1);
  CHECK_THAT(system.Status("orders")["relay"]["last_error"].get<std::string>(),
             Catch::Contains("maximum"));

  // Once the limit is raised, both go out, in order, once.
  system.PutStream("ORDERS", "orders.events.>");
  REQUIRE(system.WaitForEvents(3, std::chrono::seconds(20)));
  REQUIRE(Eventually([&] { return Unpublished(system) == "0"; }));
  const auto events = system.Events();
  REQUIRE(events.size() == 3);
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].Json()["aggregateversion"] == static_cast<int>(i + 1));
  }
  CHECK(events[1].Json()["data"]["driver_id"] == long_driver);
}

SCENARIO("a copy of a consumed event under another Nats-Msg-Id is found in the inbox and has "
         "no effect",
         "[payments][integration][inbox]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  const std::string order_id = system.Create("COPY-1").Json()["order_id"];
  REQUIRE(system.WaitForEvents(1));
  REQUIRE(Eventually([&] {
    return system.Status("payments")["consumers"]["payments-orders"]["processed"] == 1;
  }));
  const std::string inbox_before =
      system.QueryDatabase("payments.db", "SELECT count(*) FROM inbox WHERE consumer = 'payments-orders'");
  CHECK(inbox_before == "1");

  // The same event published again under another Nats-Msg-Id (a replay).
  const auto original = system.Events().front();
  REQUIRE(system.client().PublishToStream(original.subject, original.data,
                                          {{"Nats-Msg-Id", "copy-of-the-created-event"}}));
  REQUIRE(Eventually([&] {
    return system.Status("payments")["consumers"]["payments-orders"]["duplicates"] == 1;
  }));
  const json status = system.Status("payments")["consumers"]["payments-orders"];
  CHECK(status["processed"] == 1);
  CHECK(system.QueryDatabase("payments.db",
                             "SELECT count(*) FROM inbox WHERE consumer = 'payments-orders'") == "1");
  CHECK(system.QueryDatabase("payments.db",
                             "SELECT version FROM order_view WHERE order_id = '" + order_id + "'") == "1");
}

SCENARIO("a consumer that dies after applying an event and before its commit gets the event "
         "again and applies it",
         "[payments][integration][crash]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  const std::string order_id = system.Create("ACK-AFTER-COMMIT").Json()["order_id"];
  auto registered = system.Payments("register", {{"order_id", order_id}, {"amount", "12.00"}});
  REQUIRE(registered.Status() == 200);
  const std::string payment_id = registered.Json()["payment_id"];

  // Payments dies in the transaction that applies the cancellation.
  REQUIRE(system.payments().Terminate().Success());
  system.StartPayments({{"LOGISTICS_FAULT",
                         "crash-after-effects-containing:logistics.order.cancelled.v1"}});
  REQUIRE(system.Command("cancel", {{"order_id", order_id}}).Status() == 200);
  REQUIRE(system.payments().WaitForExit(std::chrono::seconds(20)));
  CHECK(system.QueryDatabase("payments.db", "SELECT status FROM payments WHERE payment_id = '" +
                                                payment_id + "'") == "PENDING");

  // It was never acknowledged: after the ack wait the server delivers it again.
  system.StartPayments();
  REQUIRE(Eventually(
      [&] {
        auto got = system.Payments("get", {{"payment_id", payment_id}});
        return got.Status() == 200 && got.Json()["status"] == "FAILED";
      },
      std::chrono::seconds(60), std::chrono::milliseconds(200)));
  CHECK(system.QueryDatabase("payments.db", "SELECT count(*) FROM dead_letters") == "0");
}
