// Housekeeping (deleting old outbox, inbox and idempotency rows) runs on the
// relay lease holder only, and moves with the lease: of two instances of
// orders on one database, exactly one holds the lease and runs it, and after
// a SIGKILL of that one the survivor does.
#include <nats/nats.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"
#include "support/harness/service_process.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The figures of every instance of orders, from $SRV.STATS (each instance
// answers), keyed by instance id.
std::map<std::string, json> FiguresByInstance(NatsClient& client, std::size_t instances) {
  natsConnection* nc = client.connection();
  natsInbox* inbox = nullptr;
  REQUIRE(natsInbox_Create(&inbox) == NATS_OK);
  natsSubscription* sub = nullptr;
  REQUIRE(natsConnection_SubscribeSync(&sub, nc, inbox) == NATS_OK);
  REQUIRE(natsConnection_PublishRequestString(nc, "$SRV.STATS.orders", inbox, "") == NATS_OK);
  std::map<std::string, json> figures;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (figures.size() < instances && std::chrono::steady_clock::now() < deadline) {
    natsMsg* msg = nullptr;
    if (natsSubscription_NextMsg(&msg, sub, 100) != NATS_OK) continue;
    const json stats = json::parse(std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)));
    natsMsg_Destroy(msg);
    figures[stats["id"].get<std::string>()] = stats["endpoints"][0]["data"];
  }
  natsSubscription_Destroy(sub);
  natsInbox_Destroy(inbox);
  return figures;
}

// How many of the instances hold the lease, run housekeeping, and both.
struct Roles {
  int holders = 0;
  int housekeepers = 0;
  int both = 0;
};

Roles RolesOf(const std::map<std::string, json>& figures) {
  Roles roles;
  for (const auto& [id, data] : figures) {
    const bool holds = data["relay"]["lease"]["held"].get<bool>();
    const bool cleans = data["housekeeping"]["running"].get<bool>();
    roles.holders += holds ? 1 : 0;
    roles.housekeepers += cleans ? 1 : 0;
    roles.both += holds && cleans ? 1 : 0;
  }
  return roles;
}

}  // namespace

SCENARIO("of two instances on one database only the lease holder runs housekeeping, and the "
         "survivor takes it over",
         "[instances][integration][housekeeping]") {
  TempDir dir;
  NatsServerOptions options;
  options.store_dir = dir.path() / "nats";
  NatsServer nats(options);
  nats.Start();
  NatsClient client(nats.url());
  std::vector<std::unique_ptr<ServiceProcess>> orders;
  for (int i = 0; i < 2; ++i) {
    const auto logs = dir.path() / ("orders-" + std::to_string(i));
    std::filesystem::create_directories(logs);
    orders.push_back(std::make_unique<ServiceProcess>(
        LOGISTICS_ORDERS_BIN,
        std::vector<std::string>{"--nats-url", nats.url(), "--db", (dir.path() / "orders.db").string()},
        std::map<std::string, std::string>{}, logs));
    orders.back()->Start();
  }
  for (auto& instance : orders) REQUIRE(instance->WaitUntilReady());

  // Each instance answers $SRV.STATS with its own figures.
  REQUIRE(Eventually([&] {
    const Roles roles = RolesOf(FiguresByInstance(client, 2));
    return roles.holders == 1 && roles.housekeepers == 1 && roles.both == 1;
  }, 10s));

  WHEN("the holder is killed") {
    auto figures = FiguresByInstance(client, 2);
    REQUIRE(figures.size() == 2);
    // The holder is the instance whose pid the lease row names.
    const std::string holder = figures.begin()->second["relay"]["lease"]["holder"];
    int killed = -1;
    for (int i = 0; i < 2; ++i) {
      if (holder.find("/" + std::to_string(orders[i]->pid()) + "/") != std::string::npos) killed = i;
    }
    REQUIRE(killed >= 0);
    orders[killed]->Kill();

    THEN("the survivor holds the lease and runs housekeeping") {
      REQUIRE(Eventually([&] {
        const auto left = FiguresByInstance(client, 1);
        const Roles roles = RolesOf(left);
        return left.size() == 1 && roles.both == 1;
      }, 10s));
    }
  }
}

}  // namespace logistics::testing
