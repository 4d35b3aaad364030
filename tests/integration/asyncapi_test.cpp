// The AsyncAPI document (schemas/asyncapi.yaml) against the running services:
// every endpoint that $SRV.INFO lists must be a channel there, and its
// discovery metadata must name the schema files that channel's request and
// reply carry. The comparison itself is tests/contract/check_asyncapi.py
// --covers (the document is YAML, which only the Python side reads).
#include <catch2/catch.hpp>
#include <fstream>

#include "integration/orders_system.hpp"
#include "support/harness/child_process.hpp"
#include "support/harness/contract_recorder.hpp"
#include "support/harness/temp_dir.hpp"

using logistics::testing::ChildProcess;
using logistics::testing::OrdersSystem;
using logistics::testing::TempDir;
using nlohmann::json;

TEST_CASE(
    "every endpoint the services list in $SRV.INFO is an AsyncAPI channel with the schemas "
    "its metadata names",
    "[asyncapi][discovery][integration]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  system.StartNotifications();
  TempDir dir("asyncapi-test");

  std::vector<std::string> args{
      std::string(LOGISTICS_SOURCE_DIR) + "/tests/contract/check_asyncapi.py",
      std::string(LOGISTICS_SOURCE_DIR) + "/schemas/asyncapi.yaml", "--covers"};
  for (const std::string service : {"orders", "payments", "notifications"}) {
    const std::string subject = "$SRV.INFO." + service;
    const auto reply = system.client().Request(subject, "");
    REQUIRE(reply.Status() == 200);
    logistics::testing::RecordDiscovery(subject, reply.body);
    const json info = reply.Json();
    REQUIRE(info["name"] == service);
    CHECK(info["endpoints"].size() >= 9);  // status and the eight admin endpoints at least
    // Every endpoint names both schemas (the script checks which ones).
    for (const auto& endpoint : info["endpoints"]) {
      INFO(endpoint.dump());
      const json& metadata = endpoint["metadata"];
      CHECK((metadata.is_object() && metadata.value("request_schema", json()).is_string() &&
             metadata.value("reply_schema", json()).is_string()));
    }
    // Answers the contract check validates against the channels' payloads
    // (recorded for orders and payments; the admin tool's own traffic is not).
    for (const std::string list : {"dead-letters.list", "parked.list"}) {
      CHECK(system.client().Request(service + ".admin." + list, "{}").Status() == 200);
    }
    const auto path = dir / (service + "-info.json");
    std::ofstream(path) << reply.body;
    args.push_back(path.string());
  }

  ChildProcess check("/usr/bin/python3", args, {}, dir.path(), "check_asyncapi");
  check.Start();
  const auto status = check.WaitForExit(std::chrono::seconds(60));
  INFO(check.Log());
  REQUIRE(status.has_value());
  CHECK(status->Success());
}
