// Stream replicas (StreamSpec::replicas, EnsureStream, CannotHaveReplicas)
// against real nats-server processes: a three-node cluster gets streams with
// three replicas, a stream with one replica is scaled to three in place, and
// servers that cannot give the replicas asked for refuse with JetStream error
// codes that CannotHaveReplicas recognises and a message that says what to do.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "logistics/messaging/stream_check.hpp"
#include "logistics/messaging/stream_setup.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/jet_stream.hpp"
#include "support/harness/nats_cluster.hpp"
#include "support/harness/nats_server.hpp"

using logistics::messaging::CannotHaveReplicas;
using logistics::messaging::CheckStream;
using logistics::messaging::EnsureStream;
using logistics::messaging::StreamSpec;
using logistics::testing::NatsCluster;
using logistics::testing::NatsClusterOptions;
using logistics::testing::NatsServer;
namespace nats = logistics::nats;
using namespace std::chrono_literals;

namespace {

// A JetStream on `url` (one server: nats::Connection takes one URL here).
struct JetStreamClient {
  std::unique_ptr<nats::Connection> connection;
  std::unique_ptr<nats::JetStream> js;

  explicit JetStreamClient(const std::string& url) {
    nats::ConnectionSettings settings;
    settings.url = url;
    auto connected = nats::Connection::Connect(settings);
    REQUIRE(connected);
    connection = std::move(*connected);
    auto created = nats::JetStream::Create(*connection);
    REQUIRE(created);
    js = std::move(*created);
  }
};

StreamSpec Spec(int replicas) {
  StreamSpec spec;
  spec.name = "REPLICATED";
  spec.subjects = {"replicated.events.>"};
  spec.description = "stream replicas test";
  spec.replicas = replicas;
  return spec;
}

}  // namespace

TEST_CASE("A stream set up with three replicas on a three-node cluster has three current copies",
          "[messaging][streams][replicas][nats-cluster]") {
  NatsCluster cluster;
  cluster.Start();
  JetStreamClient client(cluster.Url(0));

  REQUIRE(EnsureStream(*client.js, Spec(3)));

  auto info = client.js->GetStreamInfo("REPLICATED");
  REQUIRE(info);
  CHECK(info->config.replicas == 3);
  REQUIRE(cluster.WaitForStreamHealthy("REPLICATED", 20s));
  const auto raw = cluster.StreamInfo("REPLICATED");
  REQUIRE(raw);
  CHECK((*raw)["cluster"]["replicas"].size() == 2);
  CHECK(CheckStream(*client.js, Spec(3)));
  // Ensuring it again changes nothing.
  REQUIRE(EnsureStream(*client.js, Spec(3)));
}

TEST_CASE("A stream with one replica is scaled to three when the service asks for three",
          "[messaging][streams][replicas][nats-cluster]") {
  NatsCluster cluster;
  cluster.Start();
  JetStreamClient client(cluster.Url(1));
  REQUIRE(EnsureStream(*client.js, Spec(1)));
  REQUIRE(client.js->GetStreamInfo("REPLICATED")->config.replicas == 1);

  auto mismatch = CheckStream(*client.js, Spec(3));
  REQUIRE_FALSE(mismatch);
  CHECK_THAT(mismatch.error().message, Catch::Contains("replicas 1 instead of 3"));

  REQUIRE(EnsureStream(*client.js, Spec(3)));

  auto info = client.js->GetStreamInfo("REPLICATED");
  REQUIRE(info);
  CHECK(info->config.replicas == 3);
  REQUIRE(cluster.WaitForStreamHealthy("REPLICATED", 20s));
  CHECK(CheckStream(*client.js, Spec(3)));
}

TEST_CASE("A single server asked for three replicas refuses, and the error says what to do",
          "[messaging][streams][replicas]") {
  NatsServer server;
  server.Start();
  JetStreamClient client(server.url());

  auto refused = EnsureStream(*client.js, Spec(3));

  REQUIRE_FALSE(refused);
  INFO(refused.error().message);
  CHECK(CannotHaveReplicas(refused.error()));
  CHECK(refused.error().jet_stream == 10074);
  CHECK_THAT(refused.error().message,
             Catch::StartsWith("the NATS servers cannot give stream REPLICATED 3 replicas "
                               "(replicas > 1 not supported in non-clustered mode") &&
                 Catch::EndsWith("): run a cluster of at least 3 servers, or set "
                                 "--stream-replicas 1"));
  CHECK_FALSE(client.js->GetStreamInfo("REPLICATED"));

  // An existing stream cannot be scaled there either.
  REQUIRE(EnsureStream(*client.js, Spec(1)));
  auto not_scaled = EnsureStream(*client.js, Spec(3));
  REQUIRE_FALSE(not_scaled);
  INFO(not_scaled.error().message);
  CHECK(CannotHaveReplicas(not_scaled.error()));
  CHECK_THAT(not_scaled.error().message,
             Catch::Contains("cannot give stream REPLICATED 3 replicas"));
  CHECK(client.js->GetStreamInfo("REPLICATED")->config.replicas == 1);
}

TEST_CASE("A single server whose stream was set to three replicas anyway is still refused",
          "[messaging][streams][replicas]") {
  NatsServer server;
  server.Start();
  JetStreamClient client(server.url());
  REQUIRE(EnsureStream(*client.js, Spec(1)));
  // nats-server 2.9.10 accepts this update on a server that is not clustered
  // (it would refuse the same stream's creation) and keeps one copy.
  auto config = client.js->GetStreamInfo("REPLICATED")->config;
  config.replicas = 3;
  REQUIRE(client.js->UpdateStream(config));
  REQUIRE(client.js->GetStreamInfo("REPLICATED")->config.replicas == 3);

  auto refused = EnsureStream(*client.js, Spec(3));
  REQUIRE_FALSE(refused);
  INFO(refused.error().message);
  CHECK(CannotHaveReplicas(refused.error()));
  CHECK_THAT(refused.error().message,
             Catch::Contains("cannot give stream REPLICATED 3 replicas (the server is not "
                             "clustered"));

  auto checked = CheckStream(*client.js, Spec(3));
  REQUIRE_FALSE(checked);
  CHECK_THAT(checked.error().message,
             Catch::Contains("the server is not clustered and holds one copy"));
}

TEST_CASE("A two-node cluster asked for three replicas refuses as unable to place them",
          "[messaging][streams][replicas][nats-cluster]") {
  NatsClusterOptions options;
  options.nodes = 2;
  NatsCluster cluster(options);
  cluster.Start();
  JetStreamClient client(cluster.Url(0));

  auto refused = EnsureStream(*client.js, Spec(3));

  REQUIRE_FALSE(refused);
  INFO(refused.error().message);
  CHECK(CannotHaveReplicas(refused.error()));
  CHECK(refused.error().jet_stream == 10005);  // no suitable peers for placement
  CHECK_THAT(
      refused.error().message,
      Catch::Contains("cannot give stream REPLICATED 3 replicas (no suitable peers") &&
          Catch::Contains("run a cluster of at least 3 servers, or set --stream-replicas 1"));
  // Two replicas fit on two servers.
  CHECK(EnsureStream(*client.js, Spec(2)));
}

TEST_CASE("Only the JetStream codes of a replica refusal count as one, whatever the text says",
          "[messaging][streams][replicas]") {
  nats::NatsError refusal;
  refusal.kind = nats::NatsErrorKind::kRejected;
  refusal.jet_stream = 10074;
  CHECK(CannotHaveReplicas(refusal));
  refusal.jet_stream = 10005;
  CHECK(CannotHaveReplicas(refusal));

  nats::NatsError storage;  // insufficient resources: a storage limit, not a replica count
  storage.kind = nats::NatsErrorKind::kLimitExceeded;
  storage.jet_stream = 10023;
  storage.message = "create stream ORDERS: insufficient resources";
  CHECK_FALSE(CannotHaveReplicas(storage));

  nats::NatsError worded;  // the words alone decide nothing
  worded.kind = nats::NatsErrorKind::kTimeout;
  worded.message = "replicas > 1 not supported in non-clustered mode";
  CHECK_FALSE(CannotHaveReplicas(worded));
}
