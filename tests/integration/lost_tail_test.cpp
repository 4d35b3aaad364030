// A NATS server that loses the newest acknowledged messages of a stream (an OS
// crash before its 60 s sync; SPEC §7), with and without the services
// restarting in the same crash: every acknowledged event ends up in the stream
// once, in per-aggregate order, and consumers apply each once.
//
// The loss is made for real: the server is killed, its store copied, the
// server restarted on the original; after more traffic the server (and, in
// the whole-machine case, every service) is killed and the store replaced by
// the copy, which lacks the newest messages.
#include <catch2/catch.hpp>

#include <filesystem>

#include "integration/orders_system.hpp"
#include "support/stream_invariants.hpp"

using logistics::testing::CheckOnceInOrder;
using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using logistics::testing::StreamMessage;
using nlohmann::json;

namespace {

namespace fs = std::filesystem;

// A copy of the server's store, taken while the server is down.
fs::path SnapshotStore(OrdersSystem& system) {
  const fs::path copy = system.dir() / "store-snapshot";
  fs::remove_all(copy);
  fs::copy(system.nats().store_dir(), copy, fs::copy_options::recursive);
  return copy;
}

// The server's store replaced by the snapshot (the server must be down).
void RollBackStore(OrdersSystem& system, const fs::path& snapshot) {
  const fs::path store = system.nats().store_dir();
  for (const auto& entry : fs::directory_iterator(store)) {
    if (entry.path().extension() != ".log") fs::remove_all(entry.path());
  }
  for (const auto& entry : fs::directory_iterator(snapshot)) {
    if (entry.path().extension() == ".log") continue;
    fs::copy(entry.path(), store / entry.path().filename(), fs::copy_options::recursive);
  }
}

// Waits until the service has recorded every PubAck (its marks and the
// stream's acknowledged position are committed), as after any quiet moment.
void WaitUntilMarked(OrdersSystem& system, const std::string& database, const std::string& stream,
                     std::uint64_t sequence) {
  REQUIRE(Eventually(
      [&] {
        return system.QueryDatabase(database,
                                    "SELECT count(*) FROM outbox WHERE published_at IS NULL") == "0" &&
               system.QueryDatabase(database, "SELECT sequence FROM relay_position WHERE stream = '" +
                                                  stream + "'") == std::to_string(sequence);
      },
      std::chrono::seconds(15)));
}

json CreateOrder(OrdersSystem& system, const std::string& tracking) {
  auto reply = system.Create(tracking);
  INFO(reply.body);
  REQUIRE(reply.Status() == 200);
  return reply.Json();
}

}  // namespace

SCENARIO("orders restarted in the same crash that lost the stream's tail re-publishes what was lost",
         "[orders][integration][lost-tail]") {
  OrdersSystem system;
  system.StartOrders();
  GIVEN("order A stored in the stream, a snapshot of the store, then order B acknowledged") {
    const json a = CreateOrder(system, "TAIL-A");
    REQUIRE(system.WaitForEvents(1));
    system.nats().Kill();
    const fs::path snapshot = SnapshotStore(system);
    system.nats().Start();
    REQUIRE(Eventually([&] { return system.Create("TAIL-B").Status() == 200; },
                       std::chrono::seconds(20)));
    REQUIRE(system.WaitForEvents(2));
    WaitUntilMarked(system, "orders.db", "ORDERS", 2);

    WHEN("the server and orders die together and the server comes back without B") {
      system.nats().Kill();
      system.orders().Kill();
      RollBackStore(system, snapshot);
      system.nats().Start();
      REQUIRE(system.client().StreamMessageCount("ORDERS") == 1);
      system.StartOrders();

      THEN("B is stored again, once, before any new event") {
        REQUIRE(system.WaitForEvents(2));
        REQUIRE(system.Create("TAIL-C").Status() == 200);
        REQUIRE(system.WaitForEvents(3));
        const auto events = system.Events();
        REQUIRE(events.size() == 3);
        CheckOnceInOrder("ORDERS", events);
        CHECK(events[0].Json()["data"]["tracking_number"] == "TAIL-A");
        CHECK(events[1].Json()["data"]["tracking_number"] == "TAIL-B");
        CHECK(events[2].Json()["data"]["tracking_number"] == "TAIL-C");
        CHECK_THAT(system.orders().Log(), Catch::Contains("the stream lost acknowledged events"));
        // The recorded position follows the restored stream: C at sequence 3.
        WaitUntilMarked(system, "orders.db", "ORDERS", 3);
      }
    }
  }
}

SCENARIO("a running orders service notices a stream that went back after a server crash",
         "[orders][integration][lost-tail]") {
  OrdersSystem system;
  system.StartOrders();
  CreateOrder(system, "RUN-A");
  REQUIRE(system.WaitForEvents(1));
  system.nats().Kill();
  const fs::path snapshot = SnapshotStore(system);
  system.nats().Start();
  REQUIRE(Eventually([&] { return system.Create("RUN-B").Status() == 200; },
                     std::chrono::seconds(20)));
  REQUIRE(system.WaitForEvents(2));

  system.nats().Kill();
  RollBackStore(system, snapshot);
  system.nats().Start();

  // Without a new command, the reconnect alone brings B back.
  REQUIRE(system.WaitForEvents(2, std::chrono::seconds(20)));
  const auto events = system.Events();
  REQUIRE(events.size() == 2);
  CheckOnceInOrder("ORDERS", events);
  CHECK(events[1].Json()["data"]["tracking_number"] == "RUN-B");
}

SCENARIO("a restart on an intact stream re-publishes nothing",
         "[orders][integration][lost-tail]") {
  OrdersSystem system;
  system.StartOrders();
  CreateOrder(system, "KEEP-A");
  REQUIRE(system.WaitForEvents(1));
  WaitUntilMarked(system, "orders.db", "ORDERS", 1);
  system.nats().Kill();
  system.orders().Kill();
  system.nats().Start();
  system.StartOrders();
  REQUIRE(system.Create("KEEP-B").Status() == 200);
  REQUIRE(system.WaitForEvents(2));
  WaitUntilMarked(system, "orders.db", "ORDERS", 2);
  // The re-publish horizon was not sent again: no duplicate PubAcks counted.
  const json status = system.client().Request("orders.query.status", "{}").Json();
  CHECK(status["relay"]["republished_horizons"] == 0);
  CHECK(status["relay"]["published"] == 1);
  CHECK_THAT(system.orders().Log(), !Catch::Contains("the stream lost acknowledged events"));
}

SCENARIO("payments and orders restarted in the same crash that lost both streams' tails "
         "restore every event once and apply it once",
         "[payments][integration][lost-tail]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  const json order = CreateOrder(system, "PAY-TAIL");
  const std::string order_id = order["order_id"];
  auto first = system.Payments("register", {{"order_id", order_id}, {"amount", "10.00"}});
  REQUIRE(first.Status() == 200);
  REQUIRE(Eventually([&] { return system.client().StreamMessageCount("PAYMENTS") == 1; }));

  system.nats().Kill();
  const fs::path snapshot = SnapshotStore(system);
  system.nats().Start();
  logistics::testing::Reply second;
  REQUIRE(Eventually(
      [&] {
        second = system.Payments("register", {{"order_id", order_id}, {"amount", "20.00"}},
                                 {{"Nats-Msg-Id", "pay-tail-second"}});
        return second.Status() == 200;
      },
      std::chrono::seconds(20)));
  const std::string payment_id = second.Json()["payment_id"];
  REQUIRE(system.Payments("confirm", {{"payment_id", payment_id}}).Status() == 200);
  // The order becomes PAID through the PAYMENTS event.
  REQUIRE(Eventually([&] {
    auto got = system.Query("get", {{"order_id", order_id}});
    return got.Status() == 200 && got.Json()["status"] == "PAID";
  }));
  REQUIRE(Eventually([&] { return system.client().StreamMessageCount("PAYMENTS") == 3; }));
  REQUIRE(system.WaitForEvents(2));
  WaitUntilMarked(system, "payments.db", "PAYMENTS", 3);
  WaitUntilMarked(system, "orders.db", "ORDERS", 2);

  // The whole machine crashes: the server comes back without the newest messages.
  system.nats().Kill();
  system.payments().Kill();
  system.orders().Kill();
  RollBackStore(system, snapshot);
  system.nats().Start();
  REQUIRE(system.client().StreamMessageCount("PAYMENTS") == 1);
  REQUIRE(system.client().StreamMessageCount("ORDERS") == 1);
  system.StartOrders();
  system.StartPayments();

  REQUIRE(Eventually([&] { return system.client().StreamMessageCount("PAYMENTS") == 3; },
                     std::chrono::seconds(20)));
  REQUIRE(system.WaitForEvents(2, std::chrono::seconds(20)));
  const auto payment_versions = CheckOnceInOrder("PAYMENTS", system.PaymentEvents());
  const auto order_versions = CheckOnceInOrder("ORDERS", system.Events());
  CHECK(payment_versions.at(payment_id) == 2);
  CHECK(order_versions.at(order_id) == 2);

  // The consumers saw the restored events again: their inboxes kept each
  // effect once, so the order was paid once and nothing else changed.
  REQUIRE(Eventually([&] {
    const json status = system.client().Request("orders.query.status", "{}").Json();
    return status["consumers"]["orders-payments"]["pending"] == 0;
  }));
  auto final_order = system.Query("get", {{"order_id", order_id}});
  REQUIRE(final_order.Status() == 200);
  CHECK(final_order.Json()["status"] == "PAID");
  CHECK(final_order.Json()["version"] == 2);
  const auto events = system.Events();
  CHECK(events.size() == 2);
}
