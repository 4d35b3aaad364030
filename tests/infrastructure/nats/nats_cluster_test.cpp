// The test harness's NatsCluster against real nats-server processes: three
// nodes form one JetStream cluster, a stream with three replicas gets a
// leader, the stream survives its leader's crash under a new leader, and the
// crashed node rejoins as a current replica. The other cluster tests rely on
// exactly this.
#include <catch2/catch.hpp>

#include <set>

#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_cluster.hpp"

using logistics::testing::Eventually;
using logistics::testing::NatsClient;
using logistics::testing::NatsCluster;
using namespace std::chrono_literals;

namespace {

// Creates stream `name` on subjects "<subject>.>" with `replicas` replicas
// through nats.c directly (not the code under test elsewhere).
void AddStream(NatsClient& client, const std::string& name, const std::string& subject,
               int replicas) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const std::string subjects = subject + ".>";
  const char* subject_list[] = {subjects.c_str()};
  config.Name = name.c_str();
  config.Subjects = subject_list;
  config.SubjectsLen = 1;
  config.Replicas = replicas;
  jsErrCode code = static_cast<jsErrCode>(0);
  jsStreamInfo* info = nullptr;
  const natsStatus status = js_AddStream(&info, client.jetstream(), &config, nullptr, &code);
  INFO("js_AddStream: " << natsStatus_GetText(status) << ", JetStream error " << code);
  REQUIRE(status == NATS_OK);
  jsStreamInfo_Destroy(info);
}

}  // namespace

TEST_CASE("A three-node cluster starts routed, with a JetStream meta leader, and names its nodes",
          "[nats-cluster]") {
  NatsCluster cluster;
  cluster.Start();

  REQUIRE(cluster.size() == 3);
  CHECK(cluster.Name(0) == "n1");
  CHECK(cluster.Name(2) == "n3");
  CHECK(cluster.Urls() == cluster.Url(0) + "," + cluster.Url(1) + "," + cluster.Url(2));
  const std::set<std::string> urls = {cluster.Url(0), cluster.Url(1), cluster.Url(2)};
  CHECK(urls.size() == 3);
  CHECK(cluster.MetaLeader().has_value());
  for (int node = 0; node < 3; ++node) CHECK(cluster.IsRunning(node));
}

TEST_CASE("A stream with three replicas gets a leader and current replicas on the cluster",
          "[nats-cluster]") {
  NatsCluster cluster;
  cluster.Start();
  NatsClient client(cluster.Url(0));
  AddStream(client, "HARNESS", "harness", 3);

  REQUIRE(cluster.WaitForStreamHealthy("HARNESS", 20s));
  const auto info = cluster.StreamInfo("HARNESS");
  REQUIRE(info);
  CHECK((*info)["config"]["num_replicas"] == 3);
  CHECK((*info)["cluster"]["replicas"].size() == 2);
  CHECK(cluster.StreamLeader("HARNESS").has_value());
  CHECK_FALSE(cluster.StreamLeader("NO_SUCH_STREAM").has_value());
}

TEST_CASE("Killing a stream's leader node gives the stream another leader, and the node rejoins",
          "[nats-cluster]") {
  NatsCluster cluster;
  cluster.Start();
  NatsClient client(cluster.Urls());
  AddStream(client, "HARNESS", "harness", 3);
  REQUIRE(cluster.WaitForStreamHealthy("HARNESS", 20s));
  REQUIRE(client.PublishToStream("harness.before", "1"));

  const auto leader = cluster.StreamLeader("HARNESS");
  REQUIRE(leader);
  cluster.Kill(*leader);
  CHECK_FALSE(cluster.IsRunning(*leader));

  std::optional<int> successor;
  REQUIRE(Eventually(
      [&] {
        successor = cluster.StreamLeader("HARNESS");
        return successor.has_value();
      },
      20s, 100ms));
  CHECK(*successor != *leader);
  // Two of three replicas are a quorum: the stream still takes messages.
  REQUIRE(Eventually([&] { return client.Connected(); }, 10s));
  CHECK(client.PublishToStream("harness.during", "2"));

  cluster.Restart(*leader);
  CHECK(cluster.IsRunning(*leader));
  REQUIRE(cluster.WaitForClusterFormed(30s));
  INFO(cluster.Logs());
  REQUIRE(cluster.WaitForStreamHealthy("HARNESS", 30s));
  const auto info = cluster.StreamInfo("HARNESS");
  REQUIRE(info);
  CHECK((*info)["state"]["messages"] == 2);
  // The restarted node is among the stream's peers again.
  std::set<std::string> peers = {(*info)["cluster"]["leader"].get<std::string>()};
  for (const auto& replica : (*info)["cluster"]["replicas"]) {
    peers.insert(replica["name"].get<std::string>());
  }
  CHECK(peers.count(cluster.Name(*leader)) == 1);
}
