// The outbox guarantees against crashes, outages and shutdowns, on the real
// binary: nothing committed is lost, nothing is published twice.
#include <catch2/catch.hpp>

#include "integration/orders_system.hpp"
#include "logistics/sqlite/database.hpp"
#include "support/stream_invariants.hpp"

using logistics::testing::CheckOnceInOrder;
using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

TEST_CASE("a crash right after a commit loses no event and publishes it once after restart",
          "[orders][integration][crash]") {
  OrdersSystem system;
  system.StartOrders({{"LOGISTICS_FAULT", "exit-after-commit"}});
  auto reply = system.client().Request(
      "orders.cmd.create",
      json{{"tracking_number", "CRASH-1"}, {"customer_name", "Ana"}, {"origin", "A"}, {"destination", "B"}}
          .dump(),
      {}, std::chrono::seconds(2));
  CHECK(reply.timed_out);  // the process died before it could answer
  REQUIRE(system.orders().WaitForExit(std::chrono::seconds(10)));
  CHECK(system.client().StreamMessageCount("ORDERS") == 0);  // nothing was published

  system.StartOrders();
  REQUIRE(system.WaitForEvents(1));
  auto order = system.Query("get", {{"tracking_number", "CRASH-1"}});
  REQUIRE(order.Status() == 200);  // the change was committed
  const auto events = system.Events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].Json()["data"] == order.Json());

  // More traffic after the restart still yields each event once.
  REQUIRE(system.Create("CRASH-2").Status() == 200);
  REQUIRE(system.WaitForEvents(2));
  CHECK(system.Events().size() == 2);
}

TEST_CASE("after a NATS server restart the service reconnects and every event is stored once, in order",
          "[orders][integration][outage]") {
  OrdersSystem system;
  system.StartOrders();
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    auto reply = system.Create("BEFORE-" + std::to_string(i));
    REQUIRE(reply.Status() == 200);
    ids.push_back(reply.Json()["order_id"]);
  }
  for (int i = 0; i < 10; ++i) {
    REQUIRE(system.Command("assign", {{"order_id", ids[i]}, {"driver_id", "d1"}}).Status() == 200);
  }
  system.nats().Kill();
  system.nats().Restart();

  // The service reconnects by itself; commands work again.
  REQUIRE(Eventually([&] { return system.Create("AFTER-0").Status() == 200; },
                     std::chrono::seconds(20)));
  for (int i = 0; i < 10; ++i) {
    REQUIRE(system.Command("assign", {{"order_id", ids[i]}, {"driver_id", "d2"}}).Status() == 200);
  }
  REQUIRE(system.WaitForEvents(20 + 10 + 1 + 10));
  const auto events = system.Events();
  CHECK(events.size() == 41);
  CheckOnceInOrder("ORDERS", events);
  CHECK(system.orders().Running());
}

TEST_CASE("SIGTERM publishes the events still in the outbox before exiting",
          "[orders][integration][shutdown]") {
  OrdersSystem system;
  // The relay holds everything until shutdown asks it to flush.
  system.StartOrders({{"LOGISTICS_FAULT", "hold-relay"}});
  for (int i = 0; i < 5; ++i) REQUIRE(system.Create("HELD-" + std::to_string(i)).Status() == 200);
  CHECK(system.client().StreamMessageCount("ORDERS") == 0);

  const auto exit = system.orders().Terminate(std::chrono::seconds(20));
  CHECK(exit.exited);
  CHECK(exit.code == 0);
  const auto events = system.Events();
  CHECK(events.size() == 5);
  CheckOnceInOrder("ORDERS", events);
  CHECK_THAT(system.orders().Log(), Catch::Contains("outbox flushed"));
}

TEST_CASE("a database from a newer version is refused with a clear message",
          "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  REQUIRE(system.orders().Terminate(std::chrono::seconds(20)).code == 0);
  {
    auto db = logistics::sqlite::Database::Open(system.dir() / "orders.db");
    REQUIRE(db);
    REQUIRE(db->Execute("UPDATE schema_version SET version = 99 WHERE component = 'orders'"));
  }
  logistics::testing::ServiceProcess orders(
      LOGISTICS_ORDERS_BIN,
      {"--nats-url", system.nats().url(), "--db", (system.dir() / "orders.db").string()}, {},
      system.dir());
  orders.Start();
  REQUIRE(orders.WaitForExit(std::chrono::seconds(10)));
  CHECK_THAT(orders.Log(), Catch::Contains("schema version 99 is newer"));
}

TEST_CASE("invalid configuration stops the service with exit code 2", "[orders][integration]") {
  OrdersSystem system;
  logistics::testing::ServiceProcess orders(
      LOGISTICS_ORDERS_BIN, {"--log-level", "loud", "--db", (system.dir() / "x.db").string()}, {},
      system.dir());
  orders.Start();
  REQUIRE(orders.WaitForExit(std::chrono::seconds(10)));
  REQUIRE(orders.exit_status());
  CHECK(orders.exit_status()->code == 2);
  CHECK_THAT(orders.Log(), Catch::Contains("--log-level"));
}

TEST_CASE("committed events wait in the outbox while NATS is down and are published when it returns",
          "[orders][integration][outage]") {
  OrdersSystem system;
  // Commit a change and die before publishing it: its event is in the outbox.
  system.StartOrders({{"LOGISTICS_FAULT", "exit-after-commit"}});
  auto reply = system.client().Request(
      "orders.cmd.create",
      json{{"tracking_number", "WAIT-1"}, {"customer_name", "Ana"}, {"origin", "A"}, {"destination", "B"}}
          .dump(),
      {}, std::chrono::seconds(2));
  REQUIRE(system.orders().WaitForExit(std::chrono::seconds(10)));

  // The service starts while NATS is down, and keeps running.
  system.nats().Kill();
  system.StartOrders();
  CHECK_THAT(system.orders().Log(), Catch::Contains("\"connected\":false"));
  REQUIRE(system.orders().Running());

  system.nats().Restart();
  REQUIRE(system.WaitForEvents(1, std::chrono::seconds(20)));
  const auto events = system.Events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].Json()["data"]["tracking_number"] == "WAIT-1");
}
