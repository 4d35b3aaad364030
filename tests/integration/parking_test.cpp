// Parking against the real orders service and logistics-admin (issue 18): a
// stream that keeps refusing one order's event parks it with that order's
// later events while other orders' events flow; the alarm shows it; once the
// limit is raised, `logistics-admin parked requeue` publishes them in their
// order and the stream holds each once.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "integration/orders_system.hpp"
#include "support/harness/child_process.hpp"

using logistics::testing::ChildProcess;
using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

// Runs logistics-admin against the system's server to its end: exit code and output.
std::pair<int, std::string> Admin(OrdersSystem& system, std::vector<std::string> args) {
  args.insert(args.begin(), {"--nats-url", system.nats().url()});
  ChildProcess tool(LOGISTICS_ADMIN_BIN, args, {}, system.dir(), "logistics-admin-parked");
  tool.Start();
  const auto status = tool.WaitForExit(std::chrono::seconds(60));
  REQUIRE(status);
  UNSCOPED_INFO("logistics-admin: " << status->ToString() << "\n" << tool.Log());
  return {status->exited ? status->code : -1, tool.Log()};
}

bool AlarmRaised(OrdersSystem& system, const std::string& name) {
  const json status = system.Status("orders");
  for (const auto& alarm : status["alarms"]) {
    if (alarm["name"] == name) return true;
  }
  return false;
}

}  // namespace

SCENARIO("an order whose event the stream keeps refusing is parked with its later events while "
         "other orders flow, and a requeue publishes them in order once the cause is fixed",
         "[orders][integration][relay][parking]") {
  OrdersSystem system;
  system.PutStream("ORDERS", "orders.events.>");
  system.StartOrders({{"PARK_AFTER_ATTEMPTS", "2"}, {"ALARM_CHECK_INTERVAL_MS", "100"}});
  const std::string parked_order = system.Create("PARK-1").Json()["order_id"];
  REQUIRE(system.WaitForEvents(1));
  // A limit just above the created event (headers included): an assignment
  // with a 100-character driver id exceeds it.
  const auto first = system.Events().front();
  std::size_t header_bytes = 0;
  for (const auto& [name, value] : first.headers) header_bytes += name.size() + value.size() + 4;
  system.PutStream("ORDERS", "orders.events.>",
                   static_cast<std::int32_t>(first.data.size() + header_bytes + 60));
  REQUIRE(system.Command("assign", {{"order_id", parked_order}, {"driver_id", std::string(100, 'd')}})
              .Status() == 200);

  // Two refusals, then version 2 is parked and the alarm is raised.
  REQUIRE(Eventually([&] { return system.Status("orders")["outbox"]["parked"] == 1; }));
  REQUIRE(Eventually([&] { return AlarmRaised(system, "events_parked"); }));
  // The order's next event is parked behind it; another order's event flows.
  REQUIRE(system.Command("assign", {{"order_id", parked_order}, {"driver_id", "short"}}).Status() ==
          200);
  const std::string other_order = system.Create("PARK-2").Json()["order_id"];
  REQUIRE(system.WaitForEvents(2));
  CHECK(system.Status("orders")["outbox"]["parked"] == 2);
  CHECK(Eventually([&] { return system.Status("orders")["outbox"]["unpublished"] == 0; }));
  CHECK(system.Events().back().Json()["subject"] == other_order);
  CHECK_THAT(system.orders().Log(), Catch::Contains("parked an event the stream keeps refusing"));

  // Listed, as a table and as JSON.
  const auto [listed, table] = Admin(system, {"parked", "list", "--service", "orders"});
  CHECK(listed == 0);
  CHECK_THAT(table, Catch::Contains("orders.events." + parked_order + ".assigned"));
  const auto [listed_json, list_output] =
      Admin(system, {"parked", "list", "--service", "orders", "--json"});
  REQUIRE(listed_json == 0);
  const json parked = json::parse(list_output)["parked"];
  REQUIRE(parked.size() == 2);
  CHECK(parked[0]["aggregate"] == "orders.events." + parked_order + ".");
  CHECK_THAT(parked[0]["error"].get<std::string>(), Catch::Contains("maximum"));

  // Requeued before the cause is fixed: parked again after two refusals.
  // Fixed, then requeued: published in order, each once.
  system.PutStream("ORDERS", "orders.events.>");
  const auto [requeued, requeue_output] =
      Admin(system, {"parked", "requeue", "--service", "orders", "--event-id",
                     parked[0]["event_id"].get<std::string>(), "--by", "test", "--reason",
                     "limit raised"});
  CHECK(requeued == 0);
  CHECK_THAT(requeue_output, Catch::Contains("requeued"));
  REQUIRE(system.WaitForEvents(4, std::chrono::seconds(20)));
  REQUIRE(Eventually([&] { return system.Status("orders")["outbox"]["parked"] == 0; }));
  std::vector<int> versions;
  for (const auto& event : system.Events()) {
    if (event.Json()["subject"] == parked_order) versions.push_back(event.Json()["aggregateversion"]);
  }
  CHECK(versions == std::vector<int>{1, 2, 3});
  CHECK(system.client().StreamMessageCount("ORDERS") == 4);
  CHECK(Eventually([&] { return !AlarmRaised(system, "events_parked"); }));
  CHECK_THAT(system.orders().Log(), Catch::Contains("\"by\":\"test\""));

  // Nothing parked any more: a requeue says so and fails.
  const auto [again, again_output] =
      Admin(system, {"parked", "requeue", "--service", "orders", "--aggregate",
                     "orders.events." + parked_order + "."});
  CHECK(again == 1);
  CHECK_THAT(again_output, Catch::Contains("PARKED_EVENT_NOT_FOUND"));
}
