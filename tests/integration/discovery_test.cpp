// Service discovery (ADR-32 "NATS service API", v1) on the real services, so
// that `nats micro ls|info|stats` work.
#include <catch2/catch.hpp>

#include <nats/nats.h>

#include <set>

#include "integration/orders_system.hpp"
#include "support/harness/contract_recorder.hpp"

using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

// Sends one request and collects replies until `expected` arrived or the
// timeout passed (every instance answers $SRV requests, not just one).
std::vector<json> Gather(OrdersSystem& system, const std::string& subject, std::size_t expected,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  natsConnection* nc = system.client().connection();
  natsInbox* inbox = nullptr;
  REQUIRE(natsInbox_Create(&inbox) == NATS_OK);
  natsSubscription* sub = nullptr;
  REQUIRE(natsConnection_SubscribeSync(&sub, nc, inbox) == NATS_OK);
  REQUIRE(natsConnection_PublishRequestString(nc, subject.c_str(), inbox, "") == NATS_OK);
  std::vector<json> replies;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (replies.size() < expected && std::chrono::steady_clock::now() < deadline) {
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, sub, 100) != NATS_OK) continue;
    const std::string body(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    logistics::testing::RecordDiscovery(subject, body);
    replies.push_back(json::parse(body));
    natsMsg_Destroy(msg);
  }
  natsSubscription_Destroy(sub);
  natsInbox_Destroy(inbox);
  return replies;
}

}  // namespace

TEST_CASE("every service answers PING, INFO and STATS at every subject level",
          "[discovery][integration]") {
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();

  const auto pings = Gather(system, "$SRV.PING", 2);
  REQUIRE(pings.size() == 2);
  std::set<std::string> names;
  std::string orders_id;
  for (const auto& ping : pings) {
    CHECK(ping["type"] == "io.nats.micro.v1.ping_response");
    CHECK(ping["version"] == "0.1.0");
    names.insert(ping["name"]);
    if (ping["name"] == "orders") orders_id = ping["id"];
  }
  CHECK(names == std::set<std::string>{"orders", "payments"});

  const auto info = Gather(system, "$SRV.INFO.orders", 1);
  REQUIRE(info.size() == 1);
  CHECK(info[0]["type"] == "io.nats.micro.v1.info_response");
  CHECK_FALSE(info[0]["description"].get<std::string>().empty());
  std::set<std::string> subjects;
  for (const auto& endpoint : info[0]["endpoints"]) {
    CHECK(endpoint["queue_group"] == "orders");
    subjects.insert(endpoint["subject"]);
  }
  CHECK(subjects.count("orders.cmd.create") == 1);
  CHECK(subjects.count("orders.query.list") == 1);
  CHECK(subjects.count("orders.query.status") == 1);

  // Traffic shows in the counters of the instance asked by id.
  REQUIRE(system.Create("SRV-1").Status() == 200);
  REQUIRE(system.Create("SRV-1").Status() == 409);
  REQUIRE(system.WaitForEvents(1));
  const auto stats = Gather(system, "$SRV.STATS.orders." + orders_id, 1);
  REQUIRE(stats.size() == 1);
  CHECK(stats[0]["type"] == "io.nats.micro.v1.stats_response");
  CHECK_FALSE(stats[0]["started"].get<std::string>().empty());
  json create;
  for (const auto& endpoint : stats[0]["endpoints"]) {
    if (endpoint["name"] == "create") create = endpoint;
  }
  REQUIRE(create.is_object());
  CHECK(create["num_requests"] == 2);
  CHECK(create["num_errors"] == 1);
  CHECK_THAT(create["last_error"].get<std::string>(), Catch::StartsWith("409 "));
  CHECK(create["processing_time"].get<std::int64_t>() > 0);
  CHECK(create["average_processing_time"].get<std::int64_t>() > 0);
  CHECK(create["data"]["outbox"].contains("unpublished"));
  CHECK(create["data"]["consumers"].contains("orders-payments"));

  // Asking another instance id, or another service, gets no answer from orders.
  CHECK(Gather(system, "$SRV.PING.orders.someone-else", 1, std::chrono::milliseconds(300)).empty());
  const auto payments = Gather(system, "$SRV.PING.payments", 1);
  REQUIRE(payments.size() == 1);
  CHECK(payments[0]["name"] == "payments");
}

TEST_CASE("the status endpoint reports the outbox draining to zero", "[discovery][integration]") {
  OrdersSystem system;
  system.StartOrders();
  for (int i = 0; i < 20; ++i) REQUIRE(system.Create("STATUS-" + std::to_string(i)).Status() == 200);
  // Operators (and tests) wait for "everything up to here is published" instead of sleeping.
  REQUIRE(logistics::testing::Eventually([&] {
    const json status = system.Query("status", json::object()).Json();
    return status["outbox"]["unpublished"] == 0 && status["relay"]["published"] >= 20;
  }));
  CHECK(system.client().StreamMessageCount("ORDERS") == 20);
}

TEST_CASE("the status endpoint counts the writer's commits and the changes they held",
          "[discovery][integration]") {
  OrdersSystem system;
  system.StartOrders();
  for (int i = 0; i < 12; ++i) REQUIRE(system.Create("WRITER-" + std::to_string(i)).Status() == 200);
  const json writer = system.Query("status", json::object()).Json()["writer"];
  // Each create is answered only after its durable commit: all twelve are counted.
  CHECK(writer["changes_committed"].get<std::int64_t>() >= 12);
  CHECK(writer["durable_commits"].get<std::int64_t>() >= 1);
  CHECK(writer["durable_commits"].get<std::int64_t>() <= writer["changes_committed"].get<std::int64_t>());
  CHECK(writer.contains("bookkeeping_commits"));
  CHECK(writer["queue_depth"].is_number());
}

TEST_CASE("the status endpoint reports how long events took from commit to PubAck",
          "[discovery][integration]") {
  OrdersSystem system;
  system.StartOrders();
  for (int i = 0; i < 30; ++i) REQUIRE(system.Create("LATENCY-" + std::to_string(i)).Status() == 200);
  json latency;
  REQUIRE(logistics::testing::Eventually([&] {
    const json status = system.Query("status", json::object()).Json();
    latency = status["relay"]["commit_to_ack_us"];
    return status["outbox"]["unpublished"] == 0 && latency["count"] == 30;
  }));
  // Every event was stored after its commit: a positive latency, percentiles in order.
  CHECK(latency["p50"].get<std::int64_t>() > 0);
  CHECK(latency["p90"].get<std::int64_t>() >= latency["p50"].get<std::int64_t>());
  CHECK(latency["p99"].get<std::int64_t>() >= latency["p90"].get<std::int64_t>());
  CHECK(latency["max"].get<std::int64_t>() >= latency["p99"].get<std::int64_t>());
  // A restarted service counts only what it committed itself.
  REQUIRE(system.orders().Terminate().Success());
  system.StartOrders();
  REQUIRE(system.Create("LATENCY-after-restart").Status() == 200);
  REQUIRE(logistics::testing::Eventually([&] {
    const json status = system.Query("status", json::object()).Json();
    latency = status["relay"]["commit_to_ack_us"];
    return status["outbox"]["unpublished"] == 0 && latency["count"] == 1;
  }));
}
