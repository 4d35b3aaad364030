// Projection rebuild from the streams (--rebuild-projections).
#include <catch2/catch.hpp>

#include "integration/orders_system.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

TEST_CASE("payments rebuilds its view of orders from the stream and redoes no effect",
          "[rebuild][integration]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  const std::string created = system.Create("RB-1").Json()["order_id"];
  const std::string cancelled = system.Create("RB-2").Json()["order_id"];
  auto payment = system.Payments("register", {{"order_id", cancelled}, {"amount", "9"}});
  REQUIRE(payment.Status() == 200);
  REQUIRE(system.Command("cancel", {{"order_id", cancelled}}).Status() == 200);
  REQUIRE(Eventually([&] {  // compensation done: registered + failed
    return system.PaymentEvents().size() == 2;
  }));
  REQUIRE(Eventually([&] {
    return system.QueryDatabase("payments.db", "SELECT count(*) FROM order_view") == "2" &&
           system.QueryDatabase("payments.db", "SELECT status FROM order_view WHERE order_id = '" +
                                              cancelled + "'") == "CANCELLED";
  }));
  const std::string inbox_before = system.QueryDatabase("payments.db", "SELECT count(*) FROM inbox");
  REQUIRE(system.payments().Terminate().Success());

  // Lose and corrupt the projection.
  system.ExecuteOnDatabase("payments.db",
          "DELETE FROM order_view; INSERT INTO order_view VALUES('0193a5b2-7c1d-7e4f-8a90-123456789abc',"
          " 'PAID', 99, 0)");
  system.StartPayments({{"REBUILD_PROJECTIONS", "true"}});
  CHECK_THAT(system.payments().Log(), Catch::Contains("projection rebuilt"));
  CHECK(system.QueryDatabase("payments.db", "SELECT count(*) FROM order_view") == "2");
  CHECK(system.QueryDatabase("payments.db", "SELECT status || ' ' || version FROM order_view WHERE order_id = '" +
                                          created + "'") == "CREATED 1");
  CHECK(system.QueryDatabase("payments.db", "SELECT status || ' ' || version FROM order_view WHERE order_id = '" +
                                          cancelled + "'") == "CANCELLED 2");
  CHECK(system.QueryDatabase("payments.db", "SELECT count(*) FROM inbox") == inbox_before);
  CHECK_FALSE(std::filesystem::exists(system.dir() / "payments.db.rebuild"));

  // The service goes on, and the rebuilt view decides: the cancelled order cannot be paid.
  CHECK(system.Payments("register", {{"order_id", cancelled}, {"amount", "1"}}).Status() == 409);
  CHECK(system.Payments("register", {{"order_id", created}, {"amount", "1"}}).Status() == 200);
  REQUIRE(Eventually([&] { return system.PaymentEvents().size() == 3; }));
  CHECK(system.PaymentEvents().size() == 3);  // nothing was compensated twice
}

TEST_CASE("notifications rebuilds its contacts from both streams and sends nothing again",
          "[rebuild][integration]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  system.StartNotifications();
  const json order{{"tracking_number", "RB-MAIL"}, {"customer_name", "Ana"}, {"origin", "A"},
                   {"destination", "B"}, {"customer_email", "ana@example.com"}};
  const std::string order_id = system.Command("create", order).Json()["order_id"];
  const std::string payment_id =
      system.Payments("register", {{"order_id", order_id}, {"amount", "5"}}).Json()["payment_id"];
  REQUIRE(system.Payments("confirm", {{"payment_id", payment_id}}).Status() == 200);
  REQUIRE(Eventually([&] { return system.MailFileCount() == 2; }));  // created, paid
  REQUIRE(system.notifications().Terminate().Success());

  system.ExecuteOnDatabase("notifications.db", "DELETE FROM order_contacts; DELETE FROM payment_contacts");
  system.StartNotifications({}, {{"REBUILD_PROJECTIONS", "1"}});
  CHECK_THAT(system.notifications().Log(), Catch::Contains("projection rebuilt"));
  CHECK(system.QueryDatabase("notifications.db", "SELECT tracking_number FROM order_contacts") == "RB-MAIL");
  CHECK(system.QueryDatabase("notifications.db", "SELECT amount FROM payment_contacts") == "5.00");
  CHECK(system.MailFileCount() == 2);

  // A refund needs the order's contact: the rebuilt one is used.
  REQUIRE(system.Command("cancel", {{"order_id", order_id}}).Status() == 200);
  REQUIRE(Eventually([&] { return system.MailFileCount() == 4; }));  // cancelled, refunded
}
