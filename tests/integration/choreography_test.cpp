// Orders and payments together, through events alone: the real binaries, a
// real nats-server, temporary databases.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "integration/orders_system.hpp"
#include "logistics/sqlite/database.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using logistics::testing::StreamMessage;
using nlohmann::json;

namespace {

json CreateOrder(OrdersSystem& system, const std::string& tracking,
                 std::map<std::string, std::string> headers = {}) {
  auto reply = system.Create(tracking, "Madrid", "Lisbon", std::move(headers));
  REQUIRE(reply.Status() == 200);
  return reply.Json();
}

json Register(OrdersSystem& system, const std::string& order_id, const json& amount = "100.00") {
  auto reply = system.Payments("register", {{"order_id", order_id}, {"amount", amount}});
  INFO(reply.body);
  REQUIRE(reply.Status() == 200);
  return reply.Json();
}

std::string OrderStatus(OrdersSystem& system, const std::string& order_id) {
  auto reply = system.Query("get", {{"order_id", order_id}});
  return reply.Status() == 200 ? reply.Json()["status"].get<std::string>() : "";
}

// The event types about one aggregate, in stream order, leaving out copies a
// test re-published itself.
std::vector<std::string> TypesOf(const std::vector<StreamMessage>& events, const std::string& id) {
  std::vector<std::string> types;
  for (const auto& message : events) {
    if (message.headers.count("Nats-Msg-Id") && message.headers.at("Nats-Msg-Id").rfind("replayed-", 0) == 0) {
      continue;
    }
    const json event = message.Json();
    if (event["subject"] == id) types.push_back(event["type"]);
  }
  return types;
}

// Waits until payments' projection knows the order (so register will not ask orders).
bool PaymentsSeesOrder(OrdersSystem& system, const std::string& order_id, const std::string& status) {
  return Eventually([&] {
    auto db = logistics::sqlite::Database::Open(system.dir() / "payments.db",
                                                {logistics::sqlite::OpenMode::kReadOnly});
    if (!db) return false;
    auto select = db->Prepare("SELECT status FROM order_view WHERE order_id = ?");
    if (!select) return false;
    (*select)->Bind(1, order_id);
    auto row = (*select)->Step();
    return row && *row && (*select)->ColumnText(0) == status;
  });
}

}  // namespace

TEST_CASE("a confirmed payment makes the order PAID through events, then it is delivered",
          "[choreography][integration]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  const std::string order_id = CreateOrder(system, "HAPPY-1", {{"Correlation-Id", "checkout-1"}})["order_id"];
  const json payment = Register(system, order_id, 100.5);
  CHECK(payment["status"] == "PENDING");
  CHECK(payment["amount"] == "100.50");
  CHECK(payment["currency"] == "USD");
  CHECK(payment["version"] == 1);
  const std::string payment_id = payment["payment_id"];

  auto confirmed = system.Payments("confirm", {{"payment_id", payment_id}},
                                   {{"Correlation-Id", "checkout-1"}});
  REQUIRE(confirmed.Status() == 200);
  CHECK(confirmed.Json()["status"] == "CONFIRMED");
  REQUIRE(Eventually([&] { return OrderStatus(system, order_id) == "PAID"; }));

  REQUIRE(system.Command("assign", {{"order_id", order_id}, {"driver_id", "driver-1"}}).Status() == 200);
  REQUIRE(system.Command("dispatch", {{"order_id", order_id}}).Status() == 200);
  REQUIRE(system.Command("deliver", {{"order_id", order_id}}).Status() == 200);
  REQUIRE(system.WaitForEvents(5));

  const auto order_events = system.Events();
  const std::vector<std::string> expected{"logistics.order.created.v1", "logistics.order.paid.v1",
                                          "logistics.order.assigned.v1",
                                          "logistics.order.dispatched.v1",
                                          "logistics.order.delivered.v1"};
  CHECK(TypesOf(order_events, order_id) == expected);
  const auto payment_events = system.PaymentEvents();
  const std::vector<std::string> payment_types{"logistics.payment.registered.v1",
                                               "logistics.payment.confirmed.v1"};
  CHECK(TypesOf(payment_events, payment_id) == payment_types);

  // paid was caused by the confirmed event and carries its correlation.
  const json paid = order_events[1].Json();
  const json confirmed_event = payment_events[1].Json();
  CHECK(paid["causationid"] == confirmed_event["id"]);
  CHECK(paid["correlationid"] == "checkout-1");
  CHECK(paid["data"]["payment_id"] == payment_id);
  CHECK(paid["aggregateversion"] == 2);

  // Confirming again changes nothing and emits nothing.
  auto again = system.Payments("confirm", {{"payment_id", payment_id}});
  REQUIRE(again.Status() == 200);
  CHECK(again.Json()["version"] == confirmed.Json()["version"]);
  REQUIRE(system.Payments("register", {{"order_id", CreateOrder(system, "HAPPY-2")["order_id"]},
                                       {"amount", "1"}})
              .Status() == 200);
  REQUIRE(Eventually([&] { return system.PaymentEvents().size() == 3; }));
  CHECK(TypesOf(system.PaymentEvents(), payment_id).size() == 2);
}

TEST_CASE("register refuses unknown orders and orders that can no longer be paid",
          "[choreography][integration]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  auto unknown = system.Payments("register", {{"order_id", "0193a5b2-7c1d-7e4f-8a90-123456789abc"},
                                              {"amount", "5"}});
  CHECK(unknown.Status() == 404);
  CHECK(unknown.Json()["error"]["code"] == "ORDER_NOT_FOUND");

  const std::string cancelled = CreateOrder(system, "NOPAY-1")["order_id"];
  REQUIRE(system.Command("cancel", {{"order_id", cancelled}}).Status() == 200);
  REQUIRE(PaymentsSeesOrder(system, cancelled, "CANCELLED"));
  auto refused = system.Payments("register", {{"order_id", cancelled}, {"amount", "5"}});
  CHECK(refused.Status() == 409);
  CHECK(refused.Json()["error"]["code"] == "ORDER_NOT_PAYABLE");

  // In transit and delivered: pay, assign, dispatch (and deliver) first.
  const std::string moving = CreateOrder(system, "NOPAY-2")["order_id"];
  const std::string payment = Register(system, moving)["payment_id"];
  REQUIRE(system.Payments("confirm", {{"payment_id", payment}}).Status() == 200);
  REQUIRE(Eventually([&] { return OrderStatus(system, moving) == "PAID"; }));
  REQUIRE(system.Command("assign", {{"order_id", moving}, {"driver_id", "d"}}).Status() == 200);
  REQUIRE(system.Command("dispatch", {{"order_id", moving}}).Status() == 200);
  REQUIRE(PaymentsSeesOrder(system, moving, "IN_TRANSIT"));
  CHECK(system.Payments("register", {{"order_id", moving}, {"amount", "5"}}).Status() == 409);
  REQUIRE(system.Command("deliver", {{"order_id", moving}}).Status() == 200);
  REQUIRE(PaymentsSeesOrder(system, moving, "DELIVERED"));
  CHECK(system.Payments("register", {{"order_id", moving}, {"amount", "5"}}).Status() == 409);

  // Bad money is refused before anything else.
  auto bad = system.Payments("register", {{"order_id", moving}, {"amount", "10.001"}});
  CHECK(bad.Status() == 400);
  CHECK(bad.Json()["error"]["code"] == "AMOUNT_INVALID");
}

TEST_CASE("register asks orders about an order payments has not seen yet, and answers 503 "
          "when orders is away",
          "[choreography][integration]") {
  OrdersSystem system;
  system.StartOrders();
  // payments' consumer cannot process this order's events, so its projection
  // does not know the order.
  system.StartPayments({{"LOGISTICS_FAULT", "fail-events-containing:UNSEEN-1"}});
  const std::string order_id = CreateOrder(system, "UNSEEN-1")["order_id"];
  auto registered = system.Payments("register", {{"order_id", order_id}, {"amount", "7.00"}});
  INFO(registered.body);
  CHECK(registered.Status() == 200);
  CHECK(PaymentsSeesOrder(system, order_id, "CREATED"));  // the answer was recorded

  const std::string unseen = CreateOrder(system, "UNSEEN-1b")["order_id"];
  REQUIRE(system.orders().Terminate().Success());
  auto unavailable = system.Payments("register", {{"order_id", "0193a5b2-7c1d-7e4f-8a90-123456789abd"},
                                                  {"amount", "7.00"}});
  CHECK(unavailable.Status() == 503);
  (void)unseen;
}

TEST_CASE("cancelling an order fails its pending payment and refunds its confirmed one",
          "[choreography][integration]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  const std::string order_id = CreateOrder(system, "COMP-1")["order_id"];
  const std::string confirmed = Register(system, order_id, "60.00")["payment_id"];
  const std::string pending = Register(system, order_id, "40.00")["payment_id"];
  REQUIRE(system.Payments("confirm", {{"payment_id", confirmed}}).Status() == 200);
  REQUIRE(Eventually([&] { return OrderStatus(system, order_id) == "PAID"; }));

  auto cancel = system.Command("cancel", {{"order_id", order_id}, {"reason", "customer asked"}});
  REQUIRE(cancel.Status() == 200);
  REQUIRE(Eventually([&] {
    return system.Payments("get", {{"payment_id", confirmed}}).Json()["status"] == "REFUNDED" &&
           system.Payments("get", {{"payment_id", pending}}).Json()["status"] == "FAILED";
  }));
  const auto events = system.PaymentEvents();
  const std::vector<std::string> refunded{"logistics.payment.registered.v1",
                                          "logistics.payment.confirmed.v1",
                                          "logistics.payment.refunded.v1"};
  const std::vector<std::string> failed{"logistics.payment.registered.v1",
                                        "logistics.payment.failed.v1"};
  CHECK(TypesOf(events, confirmed) == refunded);
  CHECK(TypesOf(events, pending) == failed);
  const json cancelled_event = system.Events().back().Json();
  REQUIRE(cancelled_event["type"] == "logistics.order.cancelled.v1");
  for (const auto& message : events) {
    const json event = message.Json();
    if (event["type"] == "logistics.payment.failed.v1" || event["type"] == "logistics.payment.refunded.v1") {
      CHECK(event["causationid"] == cancelled_event["id"]);
      CHECK(event["data"]["reason"] == "order cancelled");
    }
  }
}

TEST_CASE("an event delivered twice to each consumer has exactly one effect",
          "[choreography][integration][redelivery]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  const std::string order_id = CreateOrder(system, "TWICE-1")["order_id"];
  const std::string confirmed = Register(system, order_id, "10")["payment_id"];
  const std::string pending = Register(system, order_id, "20")["payment_id"];
  REQUIRE(system.Payments("confirm", {{"payment_id", confirmed}}).Status() == 200);
  REQUIRE(Eventually([&] { return OrderStatus(system, order_id) == "PAID"; }));
  REQUIRE(system.Command("cancel", {{"order_id", order_id}}).Status() == 200);
  REQUIRE(Eventually([&] { return system.PaymentEvents().size() == 5; }));

  // Publish the confirmed payment and the cancellation again, as new stream
  // messages (another Nats-Msg-Id), so each consumer gets them a second time.
  auto republish = [&](const StreamMessage& message) {
    auto headers = message.headers;
    headers["Nats-Msg-Id"] = "replayed-" + headers["Nats-Msg-Id"];
    system.client().PublishToStream(message.subject, message.data, headers);
  };
  for (const auto& message : system.PaymentEvents()) {
    if (message.Json()["type"] == "logistics.payment.confirmed.v1") republish(message);
  }
  const auto cancelled = system.Events().back();
  REQUIRE(cancelled.Json()["type"] == "logistics.order.cancelled.v1");
  republish(cancelled);

  // The inboxes recognised the copies (the counters, not only the log line).
  REQUIRE(Eventually([&] {
    return system.Status("orders")["consumers"]["orders-payments"]["duplicates"] >= 1 &&
           system.Status("payments")["consumers"]["payments-orders"]["duplicates"] >= 1;
  }, std::chrono::seconds(15)));
  REQUIRE(system.orders().WaitForLog("event already processed", std::chrono::seconds(15)));
  REQUIRE(system.payments().WaitForLog("event already processed", std::chrono::seconds(15)));
  CHECK(TypesOf(system.Events(), order_id).size() == 3);  // created, paid, cancelled
  CHECK(TypesOf(system.PaymentEvents(), confirmed).size() == 3);  // registered, confirmed, refunded
  CHECK(TypesOf(system.PaymentEvents(), pending).size() == 2);    // registered, failed
  CHECK(system.QueryDatabase("orders.db", "SELECT version FROM orders") == "3");
}

TEST_CASE("restarting either service in the middle of the choreography loses and doubles nothing",
          "[choreography][integration][restart]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  std::vector<std::string> orders;
  std::vector<std::string> payments;
  for (int i = 0; i < 5; ++i) {
    orders.push_back(CreateOrder(system, "RESTART-" + std::to_string(i))["order_id"]);
    payments.push_back(Register(system, orders.back(), "10")["payment_id"]);
  }
  // orders dies abruptly while payments confirm: its consumer catches up later.
  system.orders().Kill();
  for (const auto& payment : payments) {
    REQUIRE(system.Payments("confirm", {{"payment_id", payment}}).Status() == 200);
  }
  system.StartOrders();
  for (const auto& order : orders) {
    REQUIRE(Eventually([&] { return OrderStatus(system, order) == "PAID"; }));
  }
  // payments dies abruptly while orders are cancelled: compensation happens once after restart.
  system.payments().Kill();
  for (const auto& order : orders) REQUIRE(system.Command("cancel", {{"order_id", order}}).Status() == 200);
  system.StartPayments();
  for (const auto& payment : payments) {
    REQUIRE(Eventually([&] {
      return system.Payments("get", {{"payment_id", payment}}).Json()["status"] == "REFUNDED";
    }));
  }
  REQUIRE(system.WaitForEvents(15));
  for (const auto& order : orders) {
    const std::vector<std::string> expected{"logistics.order.created.v1", "logistics.order.paid.v1",
                                            "logistics.order.cancelled.v1"};
    CHECK(TypesOf(system.Events(), order) == expected);
  }
  // The refunds are committed before they are published: wait for them.
  REQUIRE(Eventually([&] { return system.PaymentEvents().size() >= 15; }));
  const auto payment_events = system.PaymentEvents();
  CHECK(payment_events.size() == 15);  // registered, confirmed, refunded for each
  std::set<std::string> ids;
  for (const auto& message : payment_events) ids.insert(message.Json()["id"].get<std::string>());
  CHECK(ids.size() == 15);
}

TEST_CASE("an event that keeps failing becomes a dead letter and the next events still flow",
          "[choreography][integration][dead-letter]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments({{"LOGISTICS_FAULT", "fail-events-containing:POISON-1"},
                        {"MAX_DELIVERIES", "3"}});
  CreateOrder(system, "POISON-1");
  const std::string healthy = CreateOrder(system, "HEALTHY-1")["order_id"];
  REQUIRE(system.payments().WaitForLog("event dead-lettered", std::chrono::seconds(20)));
  REQUIRE(PaymentsSeesOrder(system, healthy, "CREATED"));
  CHECK(system.QueryDatabase("payments.db", "SELECT count(*) FROM dead_letters") == "1");
  CHECK(system.QueryDatabase("payments.db",
                             "SELECT deliveries FROM dead_letters WHERE consumer = 'payments-orders'") == "3");
  CHECK_THAT(system.payments().Log(), Catch::Contains("fault injection"));
}

TEST_CASE("a correlation id and trace context follow a checkout across both services",
          "[choreography][integration][correlation]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  const std::string trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  const std::map<std::string, std::string> headers{{"Correlation-Id", "checkout-77"},
                                                   {"traceparent", trace},
                                                   {"tracestate", "vendor=x"}};
  const std::string order_id = CreateOrder(system, "CORR-1", headers)["order_id"];
  auto registered = system.Payments("register", {{"order_id", order_id}, {"amount", "5"}}, headers);
  REQUIRE(registered.Status() == 200);
  const std::string payment_id = registered.Json()["payment_id"];
  auto confirm_headers = headers;
  confirm_headers["Nats-Msg-Id"] = "confirm-77";
  REQUIRE(system.Payments("confirm", {{"payment_id", payment_id}}, confirm_headers).Status() == 200);
  REQUIRE(Eventually([&] { return OrderStatus(system, order_id) == "PAID"; }));
  REQUIRE(system.Command("cancel", {{"order_id", order_id}}, headers).Status() == 200);
  REQUIRE(Eventually([&] { return system.PaymentEvents().size() == 3; }));  // + refunded

  std::map<std::string, json> by_type;
  for (const auto& message : system.Events()) by_type[message.Json()["type"]] = message.Json();
  for (const auto& message : system.PaymentEvents()) by_type[message.Json()["type"]] = message.Json();
  REQUIRE(by_type.size() == 6);
  for (const auto& [type, event] : by_type) {
    INFO(type);
    CHECK(event["correlationid"] == "checkout-77");
    CHECK(event["traceparent"] == trace);
    CHECK(event["tracestate"] == "vendor=x");
  }
  const json confirmed = by_type["logistics.payment.confirmed.v1"];
  CHECK(confirmed["causationid"] == "confirm-77");  // the command's key
  CHECK(by_type["logistics.order.paid.v1"]["causationid"] == confirmed["id"]);
  CHECK(by_type["logistics.payment.refunded.v1"]["causationid"] ==
        by_type["logistics.order.cancelled.v1"]["id"]);
}

TEST_CASE("a payments command published without a reply subject reports failure on payments.rejected",
          "[choreography][integration]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  auto rejected = system.client().Subscribe("payments.rejected.>");
  system.client().Publish("payments.cmd.confirm",
                          R"({"payment_id":"0193a5b2-7c1d-7e4f-8a90-123456789abc"})",
                          {{"Nats-Msg-Id", "pub-confirm-1"}, {"Correlation-Id", "c-9"}});
  REQUIRE(Eventually([&] { return rejected.Count() >= 1; }));
  const auto message = rejected.Messages().at(0);
  CHECK(message.subject == "payments.rejected.confirm");
  CHECK(message.headers.at("Nats-Service-Error-Code") == "404");
  const json body = json::parse(message.data);
  CHECK(body["error"]["code"] == "PAYMENT_NOT_FOUND");
  CHECK(body["command"]["msg_id"] == "pub-confirm-1");
  CHECK(body["command"]["correlation_id"] == "c-9");
}
