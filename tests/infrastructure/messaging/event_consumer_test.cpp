// The event consumer against a real nats-server and a real SQLite file:
// stream order and one effect per event, redelivery of events whose ack was
// lost, a restart in the middle of a stream, a poison event dead-lettered.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "infrastructure/messaging/consumer_rig.hpp"
#include "infrastructure/scratch_dir.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"

using logistics::testing::ConsumerRig;
using logistics::testing::CreateConsumerTestStream;
using logistics::testing::Eventually;
using logistics::testing::NatsClient;
using logistics::testing::NatsServer;
using logistics::testing::PublishTestEvent;
using logistics::testing::ScratchDir;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> Ids(int from, int to) {
  std::vector<std::string> ids;
  for (int n = from; n <= to; ++n) ids.push_back("e" + std::to_string(n));
  return ids;
}

}  // namespace

TEST_CASE("a consumer applies every event once, in stream order, and acknowledges it",
          "[messaging][consumer][infrastructure]") {
  NatsServer server;
  server.Start();
  ScratchDir dir;
  NatsClient client(server.url());
  CreateConsumerTestStream(client);
  for (const auto& id : Ids(1, 10)) PublishTestEvent(client, id);
  ConsumerRig rig(server, dir);
  rig.StartConsumer();
  REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 10; }));
  CHECK(rig.Applied() == Ids(1, 10));
  CHECK(rig.Query("SELECT count(*) FROM inbox WHERE consumer = 'test-consumer'") == "10");
  CHECK(rig.consumer().Stats().duplicates == 0);
}

SCENARIO("a consumer restarted in the middle of a stream goes on where it stopped",
         "[messaging][consumer][infrastructure]") {
  NatsServer server;
  server.Start();
  ScratchDir dir;
  NatsClient client(server.url());
  CreateConsumerTestStream(client);
  ConsumerRig rig(server, dir);
  GIVEN("a consumer that applied five events and stopped") {
    for (const auto& id : Ids(1, 5)) PublishTestEvent(client, id);
    rig.StartConsumer();
    REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 5; }));
    rig.StopConsumer();
    WHEN("five more arrive and a consumer of the same durable starts") {
      for (const auto& id : Ids(6, 10)) PublishTestEvent(client, id);
      rig.StartConsumer();
      THEN("it applies only the five new ones") {
        REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 5; }));
        CHECK(rig.Applied() == Ids(1, 10));
        CHECK(rig.consumer().Stats().duplicates == 0);
      }
    }
  }
}

SCENARIO("events applied but never acknowledged are redelivered and have no second effect",
         "[messaging][consumer][infrastructure]") {
  NatsServer server;
  server.Start();
  ScratchDir dir;
  NatsClient client(server.url());
  CreateConsumerTestStream(client);
  ConsumerRig rig(server, dir);
  GIVEN("a consumer whose acknowledgements are lost after its commits") {
    for (const auto& id : Ids(1, 4)) PublishTestEvent(client, id);
    rig.LoseAcks();
    rig.StartConsumer(1s);
    REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 4; }));
    rig.StopConsumer();
    WHEN("a consumer with working acknowledgements starts after the ack wait") {
      rig.RestoreAcks();
      rig.StartConsumer(1s);
      THEN("every event comes again, is found in the inbox and acknowledged without effect") {
        REQUIRE(Eventually([&] { return rig.consumer().Stats().duplicates == 4; }, 20s));
        CHECK(rig.consumer().Stats().processed == 0);
        CHECK(rig.Applied() == Ids(1, 4));
      }
    }
  }
  GIVEN("an event already applied, published again under another Nats-Msg-Id") {
    PublishTestEvent(client, "e1");
    rig.StartConsumer();
    REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 1; }));
    PublishTestEvent(client, "e1", "a-copy-of-e1");
    THEN("the copy is acknowledged without a second effect") {
      REQUIRE(Eventually([&] { return rig.consumer().Stats().duplicates == 1; }));
      CHECK(rig.Applied() == Ids(1, 1));
    }
  }
}

TEST_CASE("an event that keeps failing is dead-lettered on its last delivery and the next events "
          "still flow",
          "[messaging][consumer][infrastructure]") {
  NatsServer server;
  server.Start();
  ScratchDir dir;
  NatsClient client(server.url());
  CreateConsumerTestStream(client);
  PublishTestEvent(client, "e1");
  PublishTestEvent(client, "bad", "", "poison");
  PublishTestEvent(client, "e2");
  ConsumerRig rig(server, dir);
  rig.StartConsumer();
  REQUIRE(Eventually([&] { return rig.consumer().Stats().dead_letters == 1; }));
  REQUIRE(Eventually([&] { return rig.consumer().Stats().processed == 2; }));
  CHECK(rig.consumer().Stats().retries == 2);  // deliveries 1 and 2; the 3rd is the last
  CHECK(rig.Applied() == std::vector<std::string>{"e1", "e2"});
  CHECK(rig.Query("SELECT event_id || ' ' || deliveries FROM dead_letters") == "bad 3");
}
