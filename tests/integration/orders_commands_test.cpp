// The orders service end to end: real nats-server, real binary, real SQLite.
#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "integration/orders_system.hpp"
#include "logistics/common/time.hpp"
#include "logistics/common/uuid.hpp"

using logistics::testing::NatsClient;
using logistics::testing::OrdersSystem;
using logistics::testing::StreamMessage;
using nlohmann::json;

namespace {

bool IsRfc3339Millis(const std::string& text) {
  static const std::regex pattern(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  return std::regex_match(text, pattern) && logistics::common::ParseRfc3339(text).has_value();
}

std::vector<StreamMessage> EventsOf(OrdersSystem& system, const std::string& order_id) {
  std::vector<StreamMessage> found;
  for (auto& message : system.Events()) {
    if (message.subject.rfind("orders.events." + order_id + ".", 0) == 0) found.push_back(message);
  }
  return found;
}

// Every page `request` lists, following next_cursor to the end.
std::vector<json> ListAllPages(OrdersSystem& system, json request) {
  std::vector<json> pages;
  for (;;) {
    auto reply = system.Query("list", request);
    REQUIRE(reply.Status() == 200);
    pages.push_back(reply.Json());
    if (pages.back()["next_cursor"].is_null()) return pages;
    request["cursor"] = pages.back()["next_cursor"];
    REQUIRE(pages.size() < 20);
  }
}

NatsClient::Reply CreateForBo(OrdersSystem& system, const std::string& tracking_number) {
  return system.client().Request("orders.cmd.create", json{{"tracking_number", tracking_number},
                                                          {"customer_name", "Bo"},
                                                          {"origin", "A"},
                                                          {"destination", "B"}}
                                                         .dump());
}

}  // namespace

TEST_CASE("creating an order replies with it and stores exactly one created CloudEvent",
          "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  auto reply = system.Create("TRK-1", "Madrid", "Lisbon", {{"Correlation-Id", "corr-42"}});
  REQUIRE(reply.Status() == 200);
  const json order = reply.Json();
  const std::string id = order["order_id"];
  CHECK(logistics::common::IsUuidV7(id));
  CHECK(order["status"] == "CREATED");
  CHECK(order["version"] == 1);
  CHECK(order["tracking_number"] == "TRK-1");
  CHECK(order["customer_email"].is_null());
  CHECK(order["driver_id"].is_null());
  CHECK(IsRfc3339Millis(order["created_at"]));
  CHECK(order["created_at"] == order["updated_at"]);

  REQUIRE(system.WaitForEvents(1));
  const auto events = system.Events();
  REQUIRE(events.size() == 1);
  const StreamMessage& message = events[0];
  CHECK(message.subject == "orders.events." + id + ".created");
  CHECK(message.headers.at("Content-Type") == "application/cloudevents+json");
  const json event = message.Json();
  CHECK(message.headers.at("Nats-Msg-Id") == event["id"]);
  CHECK(logistics::common::IsUuid(event["id"].get<std::string>()));
  CHECK(event["specversion"] == "1.0");
  CHECK(event["source"] == "/logistics/orders");
  CHECK(event["type"] == "logistics.order.created.v1");
  CHECK(event["subject"] == id);
  CHECK(IsRfc3339Millis(event["time"]));
  CHECK(event["datacontenttype"] == "application/json");
  CHECK(event["aggregateversion"] == 1);
  CHECK(event["correlationid"] == "corr-42");
  CHECK(logistics::common::IsUuid(event["causationid"].get<std::string>()));
  CHECK(event["data"] == order);
}

TEST_CASE("assign, re-assign and cancel emit events with growing aggregate versions",
          "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  const std::string id = system.Create("TRK-2").Json()["order_id"];

  auto assigned = system.Command("assign", {{"order_id", id}, {"driver_id", "driver-7"}});
  REQUIRE(assigned.Status() == 200);
  CHECK(assigned.Json()["status"] == "ASSIGNED");
  CHECK(assigned.Json()["driver_id"] == "driver-7");
  auto reassigned = system.Command("assign", {{"order_id", id}, {"driver_id", "driver-8"}});
  REQUIRE(reassigned.Status() == 200);
  CHECK(reassigned.Json()["driver_id"] == "driver-8");
  CHECK(reassigned.Json()["version"] == 3);
  auto cancelled = system.Command("cancel", {{"order_id", id}, {"reason", "customer asked"}},
                                  {{"Nats-Msg-Id", "cancel-key-1"}});
  REQUIRE(cancelled.Status() == 200);
  CHECK(cancelled.Json()["status"] == "CANCELLED");
  CHECK(cancelled.Json()["cancellation_reason"] == "customer asked");

  REQUIRE(system.WaitForEvents(4));
  const auto events = EventsOf(system, id);
  REQUIRE(events.size() == 4);
  const std::vector<std::string> types{"created", "assigned", "assigned", "cancelled"};
  for (std::size_t i = 0; i < events.size(); ++i) {
    const json event = events[i].Json();
    CHECK(event["type"] == "logistics.order." + types[i] + ".v1");
    CHECK(event["aggregateversion"] == static_cast<int>(i + 1));
    CHECK(event["data"]["version"] == static_cast<int>(i + 1));
  }
  CHECK(events[3].Json()["data"]["reason"] == "customer asked");
  CHECK(events[3].Json()["causationid"] == "cancel-key-1");
}

TEST_CASE("a forbidden transition answers 409 and emits nothing", "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  const std::string id = system.Create("TRK-3").Json()["order_id"];
  REQUIRE(system.WaitForEvents(1));

  auto dispatch = system.Command("dispatch", {{"order_id", id}});
  CHECK(dispatch.Status() == 409);
  CHECK(dispatch.Json()["error"]["code"] == "INVALID_STATE_TRANSITION");
  CHECK(dispatch.headers.at("Nats-Service-Error-Code") == "409");
  CHECK_FALSE(dispatch.headers.at("Nats-Service-Error").empty());
  auto deliver = system.Command("deliver", {{"order_id", id}});
  CHECK(deliver.Status() == 409);
  REQUIRE(system.Command("cancel", {{"order_id", id}}).Status() == 200);
  auto again = system.Command("cancel", {{"order_id", id}});
  CHECK(again.Status() == 409);
  auto assign = system.Command("assign", {{"order_id", id}, {"driver_id", "d"}});
  CHECK(assign.Status() == 409);

  REQUIRE(system.WaitForEvents(2));
  // Give a wrongly emitted event every chance to show up before counting.
  REQUIRE(system.Query("get", {{"order_id", id}}).Json()["version"] == 2);
  REQUIRE(system.Create("TRK-3b").Status() == 200);
  REQUIRE(system.WaitForEvents(3));
  CHECK(EventsOf(system, id).size() == 2);
}

TEST_CASE("an unknown order answers 404", "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  auto reply = system.Command("dispatch", {{"order_id", "0193a5b2-7c1d-7e4f-8a90-123456789abc"}});
  CHECK(reply.Status() == 404);
  CHECK(reply.Json()["error"]["code"] == "ORDER_NOT_FOUND");
  CHECK(system.Query("get", {{"tracking_number", "nope"}}).Status() == 404);
}

TEST_CASE("orders are found by id and by tracking number", "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  const json created = system.Create("TRK-4").Json();
  auto by_id = system.Query("get", {{"order_id", created["order_id"]}});
  REQUIRE(by_id.Status() == 200);
  CHECK(by_id.Json() == created);
  auto by_tracking = system.Query("get", {{"tracking_number", "TRK-4"}});
  REQUIRE(by_tracking.Status() == 200);
  CHECK(by_tracking.Json() == created);
}

TEST_CASE("listing filters by status and customer and pages with a cursor",
          "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    auto reply = system.Create("LIST-" + std::to_string(i));
    REQUIRE(reply.Status() == 200);
    ids.push_back(reply.Json()["order_id"]);
  }
  for (int i = 0; i < 3; ++i) {
    REQUIRE(system.Command("assign", {{"order_id", ids[i]}, {"driver_id", "d"}}).Status() == 200);
  }
  REQUIRE(CreateForBo(system, "OTHER").Status() == 200);

  // Page through CREATED orders of Ana, two at a time: 4 orders, newest first.
  std::vector<std::string> seen;
  const auto pages =
      ListAllPages(system, {{"status", "CREATED"}, {"customer_name", "Ana"}, {"limit", 2}});
  for (const auto& page : pages) {
    for (const auto& order : page["orders"]) {
      CHECK(order["status"] == "CREATED");
      CHECK(order["customer_name"] == "Ana");
      seen.push_back(order["order_id"]);
    }
  }
  CHECK(pages.size() == 2);
  const std::vector<std::string> expected{ids[6], ids[5], ids[4], ids[3]};
  CHECK(seen == expected);

  auto all = system.Query("list", json::object());
  REQUIRE(all.Status() == 200);
  CHECK(all.Json()["orders"].size() == 8);
  CHECK(all.Json()["next_cursor"].is_null());
  auto bad = system.Query("list", {{"limit", 0}});
  CHECK(bad.Status() == 400);
}

TEST_CASE("listing by customer alone pages newest first through orders of every status",
          "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    auto reply = system.Create("MIX-" + std::to_string(i));
    REQUIRE(reply.Status() == 200);
    ids.push_back(reply.Json()["order_id"]);
    // Interleave a newer order of another customer, which must never show.
    REQUIRE(CreateForBo(system, "BO-" + std::to_string(i)).Status() == 200);
  }
  // Statuses alternate along the id order, so every page spans several.
  for (int i : {1, 4}) {
    REQUIRE(system.Command("assign", {{"order_id", ids[i]}, {"driver_id", "d"}}).Status() == 200);
  }
  REQUIRE(system.Command("cancel", {{"order_id", ids[5]}, {"reason", "changed mind"}}).Status() ==
          200);

  std::vector<std::string> seen;
  std::set<std::string> statuses;
  const auto pages = ListAllPages(system, {{"customer_name", "Ana"}, {"limit", 2}});
  for (const auto& page : pages) {
    CHECK(page["orders"].size() <= 2);
    for (const auto& order : page["orders"]) {
      CHECK(order["customer_name"] == "Ana");
      statuses.insert(order["status"].get<std::string>());
      seen.push_back(order["order_id"]);
    }
  }
  CHECK(pages.size() == 4);
  const std::vector<std::string> expected{ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]};
  CHECK(seen == expected);
  CHECK(statuses == std::set<std::string>{"CREATED", "ASSIGNED", "CANCELLED"});
}

TEST_CASE("a duplicate tracking number answers 409", "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  REQUIRE(system.Create("DUP-1").Status() == 200);
  auto duplicate = system.Create("DUP-1", "Porto", "Faro");
  CHECK(duplicate.Status() == 409);
  CHECK(duplicate.Json()["error"]["code"] == "DUPLICATE_TRACKING_NUMBER");
}

TEST_CASE("bad requests answer 400 naming the field, and the service keeps answering",
          "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  auto& client = system.client();

  auto not_json = client.Request("orders.cmd.create", "{not json");
  CHECK(not_json.Status() == 400);
  CHECK(not_json.Json()["error"]["code"] == "INVALID_JSON");

  auto not_object = client.Request("orders.cmd.create", "[1]");
  CHECK(not_object.Status() == 400);
  CHECK(not_object.Json()["error"]["code"] == "INVALID_BODY");

  auto missing = system.Command("create", {{"tracking_number", "T"}, {"origin", "A"}, {"destination", "B"}});
  CHECK(missing.Status() == 400);
  CHECK(missing.Json()["error"]["details"][0]["field"] == "customer_name");

  auto unknown = system.Command("create", {{"tracking_number", "T"},
                                           {"customer_name", "Ana"},
                                           {"origin", "A"},
                                           {"destination", "B"},
                                           {"colour", "red"}});
  CHECK(unknown.Status() == 400);
  CHECK(unknown.Json()["error"]["details"][0]["field"] == "colour");

  auto wrong_type = system.Command("create", {{"tracking_number", 12},
                                              {"customer_name", "Ana"},
                                              {"origin", "A"},
                                              {"destination", "B"}});
  CHECK(wrong_type.Status() == 400);
  CHECK(wrong_type.Json()["error"]["details"][0]["field"] == "tracking_number");
  CHECK(wrong_type.Json()["error"]["details"][0]["reason"] == "must be a string");

  auto same_place = system.Create("SAME", "Madrid", "Madrid");
  CHECK(same_place.Status() == 400);
  CHECK(same_place.Json()["error"]["code"] == "SAME_ORIGIN_AND_DESTINATION");

  auto too_long = system.Create(std::string(101, 'T'));
  CHECK(too_long.Status() == 400);
  CHECK(too_long.Json()["error"]["details"][0]["field"] == "tracking_number");

  auto bad_id = system.Command("dispatch", {{"order_id", "123"}});
  CHECK(bad_id.Status() == 400);

  CHECK(system.Create("STILL-ALIVE").Status() == 200);
  REQUIRE(system.WaitForEvents(1));
  CHECK(system.Events().size() == 1);  // no rejected command produced an event
}

TEST_CASE("a command published without a reply subject reports its failure on orders.rejected",
          "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  auto rejected = system.client().Subscribe("orders.rejected.>");
  auto& client = system.client();
  client.Publish("orders.cmd.create", R"({"tracking_number":"P-1"})", {{"Nats-Msg-Id", "pub-1"}});
  REQUIRE(logistics::testing::Eventually([&] { return rejected.Count() >= 1; }));
  const auto message = rejected.Messages().at(0);
  CHECK(message.subject == "orders.rejected.create");
  const json body = json::parse(message.data);
  CHECK(body["error"]["code"] == "VALIDATION_FAILED");
  CHECK(body["command"]["subject"] == "orders.cmd.create");
  CHECK(body["command"]["msg_id"] == "pub-1");

  // A valid published command is processed silently.
  client.Publish("orders.cmd.create",
                 json{{"tracking_number", "P-2"}, {"customer_name", "Ana"}, {"origin", "A"},
                      {"destination", "B"}}
                     .dump());
  REQUIRE(system.WaitForEvents(1));
  CHECK(rejected.Count() == 1);
}

TEST_CASE("200 creates in flight at once all succeed, each with exactly one event",
          "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  auto results = system.RequestConcurrently("orders.cmd.create", 200, [](int i) {
    return json{{"tracking_number", "BURST-" + std::to_string(i)},
                {"customer_name", "Ana"},
                {"origin", "A"},
                {"destination", "B"}}
        .dump();
  });
  std::set<std::string> ids;
  for (const auto& reply : results) {
    REQUIRE(reply.Status() == 200);
    ids.insert(reply.Json()["order_id"].get<std::string>());
  }
  CHECK(ids.size() == 200);
  REQUIRE(system.WaitForEvents(200));
  const auto events = system.Events();
  CHECK(events.size() == 200);
  std::set<std::string> event_orders;
  for (const auto& event : events) event_orders.insert(event.Json()["subject"].get<std::string>());
  CHECK(event_orders == ids);
}

TEST_CASE("a valid traceparent travels into the event and an invalid one is dropped",
          "[orders][integration][trace]") {
  OrdersSystem system;
  system.StartOrders();
  const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  REQUIRE(system.Create("TRACE-1", "A", "B", {{"traceparent", traceparent}, {"tracestate", "congo=t61"}})
              .Status() == 200);
  REQUIRE(system.Create("TRACE-2", "A", "B", {{"traceparent", "garbage"}, {"tracestate", "x=y"}})
              .Status() == 200);
  REQUIRE(system.WaitForEvents(2));
  const auto events = system.Events();
  REQUIRE(events.size() == 2);
  const json traced = events[0].Json();
  CHECK(traced["traceparent"] == traceparent);
  CHECK(traced["tracestate"] == "congo=t61");
  CHECK(events[0].headers.at("traceparent") == traceparent);
  const json untraced = events[1].Json();
  CHECK_FALSE(untraced.contains("traceparent"));
  CHECK_FALSE(untraced.contains("tracestate"));
}

TEST_CASE("an order id is found whatever the case of its hex digits", "[orders][integration]") {
  OrdersSystem system;
  system.StartOrders();
  std::string id = system.Create("CASE-1").Json()["order_id"];
  for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto reply = system.Query("get", {{"order_id", id}});
  CHECK(reply.Status() == 200);
}
