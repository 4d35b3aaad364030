// --stream-replicas with the real orders binary: on a three-node cluster its
// stream gets three copies and commands are served; on a single server, which
// cannot give three, the service stops (exit 1) and says what to do instead
// of running without the redundancy it was asked for.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_cluster.hpp"
#include "support/harness/nats_server.hpp"
#include "support/harness/service_process.hpp"
#include "support/harness/temp_dir.hpp"

using logistics::testing::Eventually;
using logistics::testing::NatsClient;
using logistics::testing::NatsCluster;
using logistics::testing::NatsServer;
using logistics::testing::ServiceProcess;
using logistics::testing::TempDir;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<ServiceProcess> Orders(const std::string& nats_urls, const TempDir& dir,
                                       const std::string& replicas) {
  return std::make_unique<ServiceProcess>(
      LOGISTICS_ORDERS_BIN,
      std::vector<std::string>{"--nats-url", nats_urls, "--db", (dir / "orders.db").string(),
                               "--stream-replicas", replicas, "--log-level", "debug"},
      std::map<std::string, std::string>{}, dir.path());
}

nlohmann::json CreateBody(const std::string& tracking_number) {
  return {{"tracking_number", tracking_number},
          {"customer_name", "Ana"},
          {"origin", "Madrid"},
          {"destination", "Lisbon"}};
}

}  // namespace

SCENARIO(
    "orders asked for three stream replicas on a three-node cluster keeps three copies of "
    "its events and serves commands",
    "[orders][integration][replicas][nats-cluster]") {
  GIVEN("a three-node cluster and orders with --stream-replicas 3 and every node's URL") {
    NatsCluster cluster;
    cluster.Start();
    TempDir dir("stream-replicas");
    auto orders = Orders(cluster.Urls(), dir, "3");
    orders->Start();
    REQUIRE(orders->WaitUntilReady(30s));

    THEN("ORDERS has three replicas, all current, and a created order's event is in it") {
      NatsClient client(cluster.Urls());
      REQUIRE(Eventually([&] { return client.StreamExists("ORDERS"); }, 20s));
      const auto info = cluster.StreamInfo("ORDERS");
      REQUIRE(info);
      CHECK((*info)["config"]["num_replicas"] == 3);
      REQUIRE(cluster.WaitForStreamHealthy("ORDERS", 20s));

      const auto reply = client.Request("orders.cmd.create", CreateBody("REPLICAS-1").dump());
      INFO(reply.body);
      REQUIRE(reply.Status() == 200);
      REQUIRE(Eventually([&] { return client.StreamMessageCount("ORDERS") == 1; }, 15s));
      CHECK(client.ReadStream("ORDERS").front().Json()["data"]["tracking_number"] == "REPLICAS-1");
    }
  }
}

SCENARIO("orders asked for three stream replicas on a single server stops and says what to do",
         "[orders][integration][replicas]") {
  GIVEN("one nats-server, which cannot hold three copies of a stream") {
    NatsServer nats;
    nats.Start();
    TempDir dir("stream-replicas");

    WHEN("orders starts with --stream-replicas 3") {
      auto orders = Orders(nats.url(), dir, "3");
      orders->Start();
      const auto exit = orders->WaitForExit(30s);

      THEN("it exits 1 naming the stream, the server's refusal and both ways out") {
        INFO(orders->Log());
        REQUIRE(exit);
        CHECK(exit->exited);
        CHECK(exit->code == 1);
        CHECK_THAT(orders->Log(),
                   Catch::Contains("the NATS servers cannot give stream ORDERS 3 replicas "
                                   "(replicas > 1 not supported in non-clustered mode") &&
                       Catch::Contains("run a cluster of at least 3 servers, or set "
                                       "--stream-replicas 1"));
        NatsClient client(nats.url());
        CHECK_FALSE(client.StreamExists("ORDERS"));
      }
    }
  }
}
