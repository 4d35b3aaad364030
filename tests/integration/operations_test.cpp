// Operations for every service: graceful shutdown and reconnection.
#include <catch2/catch.hpp>

#include <csignal>

#include "integration/orders_system.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

json Order(const std::string& tracking) {
  return json{{"tracking_number", tracking}, {"customer_name", "Ana"}, {"origin", "A"},
              {"destination", "B"}, {"customer_email", "ana@example.com"}};
}

}  // namespace

TEST_CASE("payments publishes what is in its outbox on SIGINT and exits 0",
          "[operations][integration][shutdown]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments({{"LOGISTICS_FAULT", "hold-relay"}});
  const std::string order_id = system.Create("STOP-P").Json()["order_id"];
  for (int i = 0; i < 3; ++i) {
    REQUIRE(system.Payments("register", {{"order_id", order_id}, {"amount", "1"}}).Status() == 200);
  }
  CHECK(system.client().StreamMessageCount("PAYMENTS") == 0);
  system.payments().Signal(SIGINT);
  const auto exit = system.payments().WaitForExit(std::chrono::seconds(20));
  REQUIRE(exit);
  CHECK(exit->Success());
  CHECK(system.client().StreamMessageCount("PAYMENTS") == 3);
  CHECK_THAT(system.payments().Log(), Catch::Contains("outbox flushed"));
}

TEST_CASE("notifications finishes its work on SIGTERM and exits 0",
          "[operations][integration][shutdown]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartNotifications();
  REQUIRE(system.Command("create", Order("STOP-N")).Status() == 200);
  REQUIRE(Eventually([&] { return system.MailFileCount() == 1; }));
  const auto exit = system.notifications().Terminate(std::chrono::seconds(20));
  CHECK(exit.Success());
  CHECK_THAT(system.notifications().Log(), Catch::Contains("\"message\":\"stopped\""));
}

TEST_CASE("every service reconnects after a NATS restart and carries on",
          "[operations][integration][outage]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  system.StartNotifications();
  REQUIRE(system.Command("create", Order("BEFORE-RESTART")).Status() == 200);
  REQUIRE(Eventually([&] { return system.MailFileCount() == 1; }));

  system.nats().Kill();
  system.nats().Restart();

  json created;
  REQUIRE(Eventually([&] {
    auto reply = system.Command("create", Order("AFTER-RESTART"));
    if (reply.Status() == 200) created = reply.Json();
    return reply.Status() == 200 || reply.Status() == 409;  // 409: an earlier try went through
  }, std::chrono::seconds(20), std::chrono::milliseconds(200)));
  if (created.is_null()) created = system.Query("get", {{"tracking_number", "AFTER-RESTART"}}).Json();
  // payments learns of the order through its consumer, notifications mails it.
  REQUIRE(Eventually([&] { return system.MailFileCount() == 2; }, std::chrono::seconds(20)));
  auto payment = system.Payments("register", {{"order_id", created["order_id"]}, {"amount", "3"}});
  CHECK(payment.Status() == 200);
  CHECK(system.orders().Running());
  CHECK(system.payments().Running());
  CHECK(system.notifications().Running());
}
