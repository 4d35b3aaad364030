// An event that needs another stream's state waits for it instead of failing:
// notifications mails a refund (a PAYMENTS event) only once its ORDERS
// projection has the order, however far behind that projection is, and
// dead-letters it, with the reason, only when the order truly never comes.
#include <catch2/catch.hpp>

#include <thread>

#include "integration/orders_system.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

json CreateWithEmail(OrdersSystem& system, const std::string& tracking) {
  const json body{{"tracking_number", tracking}, {"customer_name", "Ana"}, {"origin", "Madrid"},
                  {"destination", "Lisbon"},      {"customer_email", "ana@example.com"}};
  auto reply = system.client().Request("orders.cmd.create", body.dump(), {},
                                       std::chrono::seconds(30));
  INFO(reply.body);
  REQUIRE(reply.Status() == 200);
  return reply.Json();
}

// Every message of both streams settled by notifications' consumers.
bool CaughtUp(OrdersSystem& system) {
  const json consumers = system.Status("notifications")["consumers"];
  auto settled = [&](const char* consumer) {
    const json& c = consumers[consumer];
    return c["processed"].get<std::uint64_t>() + c["duplicates"].get<std::uint64_t>() +
           c["dead_letters"].get<std::uint64_t>();
  };
  return consumers["notifications-payments"]["held"] == 0 &&
         settled("notifications-orders") == system.client().StreamMessageCount("ORDERS") &&
         settled("notifications-payments") == system.client().StreamMessageCount("PAYMENTS");
}

}  // namespace

SCENARIO("a refund mailed while the orders projection lags far behind waits for the order "
         "and is sent, with no dead letter",
         "[notifications][integration][dependency-wait]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  GIVEN("a backlog of orders notifications has not seen, then order X paid, cancelled and refunded") {
    constexpr int kBacklog = 1500;  // at test speed, seconds of ORDERS events before X's
    for (int first = 0; first < kBacklog; first += 50) {
      auto replies = system.RequestConcurrently("orders.cmd.create", 50, [&](int i) {
        return json{{"tracking_number", "LAG-" + std::to_string(first + i)},
                    {"customer_name", "Ana"},
                    {"origin", "Madrid"},
                    {"destination", "Lisbon"},
                    {"customer_email", "ana@example.com"}}
            .dump();
      });
      for (const auto& reply : replies) REQUIRE(reply.Status() == 200);
    }
    const std::string order_id = CreateWithEmail(system, "LAG-X")["order_id"];
    auto registered = system.Payments("register", {{"order_id", order_id}, {"amount", "30.00"}});
    REQUIRE(registered.Status() == 200);
    const std::string payment_id = registered.Json()["payment_id"];
    REQUIRE(system.Payments("confirm", {{"payment_id", payment_id}}).Status() == 200);
    REQUIRE(Eventually([&] {
      auto got = system.Query("get", {{"order_id", order_id}});
      return got.Status() == 200 && got.Json()["status"] == "PAID";
    }));
    REQUIRE(system.Command("cancel", {{"order_id", order_id}}).Status() == 200);
    REQUIRE(Eventually([&] {
      auto got = system.Payments("get", {{"payment_id", payment_id}});
      return got.Status() == 200 && got.Json()["status"] == "REFUNDED";
    }));

    WHEN("notifications starts with the whole backlog before it") {
      // A short dependency wait: the backlog must not count against it.
      system.StartNotifications({}, {{"DEPENDENCY_WAIT_SECONDS", "2"}});

      THEN("the refund waits for the order instead of spending its deliveries, and is mailed") {
        REQUIRE(Eventually([&] { return CaughtUp(system); },
                           std::chrono::seconds(120), std::chrono::milliseconds(200)));
        const json status = system.Status("notifications");
        INFO(status.dump());
        CHECK(status["consumers"]["notifications-payments"]["dead_letters"] == 0);
        CHECK(status["consumers"]["notifications-payments"]["holds"].get<int>() >= 1);
        CHECK(system.QueryDatabase("notifications.db", "SELECT count(*) FROM dead_letters") == "0");
        CHECK(system.QueryDatabase("notifications.db",
                                   "SELECT count(*) FROM sent_notifications WHERE kind LIKE "
                                   "'%refund%'") == "1");
        // Every notifying event of X mailed once: created, paid, cancelled, refunded.
        CHECK(system.QueryDatabase(
                  "notifications.db",
                  "SELECT count(*) FROM sent_notifications s JOIN inbox i ON i.event_id = s.event_id "
                  "WHERE s.kind LIKE '%refund%'") == "1");
        CHECK(system.MailFileCount() == static_cast<std::size_t>(kBacklog + 4));
      }
    }
  }
}

SCENARIO("a payment event about an order that never existed is dead-lettered with the reason "
         "once the orders consumer is caught up",
         "[notifications][integration][dependency-wait]") {
  OrdersSystem system;
  system.StartOrders();  // creates the ORDERS stream
  system.StartNotifications({}, {{"DEPENDENCY_WAIT_SECONDS", "1"}});
  REQUIRE(Eventually([&] { return system.client().StreamExists("ORDERS"); }));
  // A refund event whose order no ORDERS event ever announced.
  const std::string ghost = "0193a5b2-7c1d-7e4f-8a90-123456789abc";
  const json event{{"specversion", "1.0"},
                   {"id", "0193a5b2-7c1d-7e4f-8a90-0000000000e1"},
                   {"source", "/logistics/payments"},
                   {"type", "logistics.payment.refunded.v1"},
                   {"subject", "0193a5b2-7c1d-7e4f-8a90-00000000aaaa"},
                   {"time", "2026-12-06T10:00:00.000Z"},
                   {"datacontenttype", "application/json"},
                   {"aggregateversion", 3},
                   {"data",
                    {{"payment_id", "0193a5b2-7c1d-7e4f-8a90-00000000aaaa"},
                     {"order_id", ghost},
                     {"amount", "10.00"},
                     {"currency", "USD"},
                     {"status", "REFUNDED"},
                     {"version", 3},
                     {"created_at", "2026-12-06T10:00:00.000Z"},
                     {"updated_at", "2026-12-06T10:00:00.000Z"}}}};
  // Notifications does not create PAYMENTS and payments is not running:
  // create it as payments would.
  system.PutStream("PAYMENTS", "payments.events.>");
  REQUIRE(system.client().PublishToStream(
      "payments.events.0193a5b2-7c1d-7e4f-8a90-00000000aaaa.refunded", event.dump(),
      {{"Nats-Msg-Id", event["id"].get<std::string>()},
       {"Content-Type", "application/cloudevents+json"}}));

  REQUIRE(Eventually(
      [&] {
        return system.QueryDatabase("notifications.db", "SELECT count(*) FROM dead_letters") == "1";
      },
      std::chrono::seconds(30), std::chrono::milliseconds(100)));
  const std::string reason = system.QueryDatabase("notifications.db", "SELECT error FROM dead_letters");
  CHECK_THAT(reason, Catch::Contains("with the service's other consumers caught up"));
  CHECK_THAT(reason, Catch::Contains(ghost));
  // Waiting spent no delivery: the first delivery is the one dead-lettered.
  CHECK(system.QueryDatabase("notifications.db", "SELECT deliveries FROM dead_letters") == "1");
  CHECK(system.MailFileCount() == 0);
}
