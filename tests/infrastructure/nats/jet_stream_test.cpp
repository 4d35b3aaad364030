// nats::JetStream, PullSubscription, Message and Connection's request and
// publish against a real nats-server: results are typed, and every failure
// carries the kind a caller decides by.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <vector>

#include "logistics/nats/connection.hpp"
#include "logistics/nats/jet_stream.hpp"
#include "logistics/nats/pull_subscription.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_server.hpp"

using logistics::nats::Connection;
using logistics::nats::ConnectionSettings;
using logistics::nats::DurableConsumerConfig;
using logistics::nats::JetStream;
using logistics::nats::Message;
using logistics::nats::NatsErrorKind;
using logistics::nats::NatsErrorKindName;
using logistics::nats::PubAck;
using logistics::nats::PubAckResult;
using logistics::nats::StreamConfig;
using logistics::testing::Eventually;
using logistics::testing::NatsServer;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Connection> Connect(const NatsServer& server) {
  ConnectionSettings settings;
  settings.url = server.url();
  auto connection = Connection::Connect(settings);
  REQUIRE(connection);
  REQUIRE((*connection)->IsConnected());
  return std::move(*connection);
}

StreamConfig Stream(std::int32_t max_message_size = -1) {
  StreamConfig config;
  config.name = "WRAPPED";
  config.subjects = {"wrapped.>"};
  config.duplicate_window = std::chrono::minutes(2);
  config.max_message_size = max_message_size;
  return config;
}

Message Event(const std::string& subject, const std::string& body, const std::string& id) {
  auto message = Message::Create(subject, body);
  REQUIRE(message);
  REQUIRE(message->SetHeader("Nats-Msg-Id", id));
  return std::move(*message);
}

NatsErrorKind KindOf(const auto& result) {
  REQUIRE_FALSE(result);
  INFO(result.error().message);
  return result.error().kind;
}

}  // namespace

TEST_CASE("stream management reports a missing stream as not found and keeps what was configured",
          "[nats][jetstream]") {
  NatsServer server;
  server.Start();
  auto connection = Connect(server);
  auto js = JetStream::Create(*connection);
  REQUIRE(js);
  CHECK(KindOf((*js)->GetStreamInfo("WRAPPED")) == NatsErrorKind::kNotFound);
  REQUIRE((*js)->AddStream(Stream(4096)));
  auto info = (*js)->GetStreamInfo("WRAPPED");
  REQUIRE(info);
  CHECK(info->config.subjects == std::vector<std::string>{"wrapped.>"});
  CHECK(info->config.duplicate_window == std::chrono::minutes(2));
  CHECK(info->config.max_message_size == 4096);
  CHECK(info->last_sequence == 0);
  CHECK(KindOf((*js)->GetMessage("WRAPPED", 1)) == NatsErrorKind::kNotFound);
  CHECK(KindOf((*js)->EnsureDurableConsumer({"NOPE", "d", "nope.>", "", 30s})) ==
        NatsErrorKind::kNotFound);
}

TEST_CASE("a publish's PubAck or refusal is typed: stored, duplicate, no stream, too large, "
          "wrong stream",
          "[nats][jetstream]") {
  NatsServer server;
  server.Start();
  auto connection = Connect(server);
  auto js = JetStream::Create(*connection);
  REQUIRE(js);
  REQUIRE((*js)->AddStream(Stream(256)));

  auto stored = (*js)->Publish(Event("wrapped.a", "{}", "one"));
  REQUIRE(stored);
  CHECK(stored->stream == "WRAPPED");
  CHECK(stored->sequence == 1);
  CHECK_FALSE(stored->duplicate);
  auto again = (*js)->Publish(Event("wrapped.a", "{}", "one"));
  REQUIRE(again);
  CHECK(again->duplicate);

  CHECK(KindOf((*js)->Publish(Event("elsewhere.a", "{}", "two"))) == NatsErrorKind::kNoResponders);
  CHECK(KindOf((*js)->Publish(Event("wrapped.a", std::string(1000, 'x'), "three"))) ==
        NatsErrorKind::kTooLarge);
  CHECK(KindOf((*js)->Publish(Event("wrapped.a", "{}", "four"), {"OTHER", 5s})) ==
        NatsErrorKind::kWrongStream);

  auto message = (*js)->GetMessage("WRAPPED", 1);
  REQUIRE(message);
  CHECK(message->subject() == "wrapped.a");
  CHECK(message->Header("Nats-Msg-Id") == "one");
  CHECK(message->Headers().at("Nats-Msg-Id") == "one");
  CHECK_FALSE(message->Header("absent"));
  CHECK(NatsErrorKindName(NatsErrorKind::kLimitExceeded) == "limit exceeded");
}

TEST_CASE("asynchronous publishes hand every PubAck and refusal to the callback",
          "[nats][jetstream]") {
  NatsServer server;
  server.Start();
  auto connection = Connect(server);
  std::mutex mutex;
  std::vector<std::pair<std::string, PubAckResult>> acks;
  auto js = JetStream::Create(*connection, {16, [&](const Message& sent, PubAckResult ack) {
                                              std::lock_guard lock(mutex);
                                              acks.emplace_back(*sent.Header("Nats-Msg-Id"), ack);
                                            }});
  REQUIRE(js);
  REQUIRE((*js)->AddStream(Stream(256)));
  REQUIRE((*js)->PublishAsync(Event("wrapped.a", "{}", "small"), 5s));
  REQUIRE((*js)->PublishAsync(Event("wrapped.a", std::string(1000, 'x'), "large"), 5s));
  REQUIRE((*js)->WaitForPublishes(10s));
  std::lock_guard lock(mutex);
  REQUIRE(acks.size() == 2);
  for (const auto& [id, ack] : acks) {
    INFO(id);
    if (id == "small") {
      REQUIRE(ack);
      CHECK(ack->sequence == 1);
    } else {
      CHECK(KindOf(ack) == NatsErrorKind::kTooLarge);
    }
  }
}

TEST_CASE("a durable pull consumer fetches, and a nak with delay brings a message back",
          "[nats][jetstream][pull]") {
  NatsServer server;
  server.Start();
  auto connection = Connect(server);
  auto js = JetStream::Create(*connection);
  REQUIRE(js);
  REQUIRE((*js)->AddStream(Stream()));
  const DurableConsumerConfig config{"WRAPPED", "pull-test", "wrapped.>", "test", 30s};
  REQUIRE((*js)->EnsureDurableConsumer(config));
  REQUIRE((*js)->EnsureDurableConsumer(config));  // again: nothing to change
  auto subscription = (*js)->BindPull(config);
  REQUIRE(subscription);
  auto& pull = **subscription;

  CHECK(KindOf(pull.Fetch(10, 200ms)) == NatsErrorKind::kTimeout);  // caught up

  REQUIRE((*js)->Publish(Event("wrapped.a", "first", "1")));
  REQUIRE((*js)->Publish(Event("wrapped.b", "second", "2")));
  auto batch = pull.Fetch(10, 2s);
  REQUIRE(batch);
  REQUIRE(batch->size() == 2);
  auto& first = (*batch)[0];
  CHECK(first.data() == "first");
  auto meta = first.Metadata();
  REQUIRE(meta);
  CHECK(meta->stream_sequence == 1);
  CHECK(meta->deliveries == 1);
  CHECK(meta->pending == 1);
  REQUIRE(first.NakWithDelay(50ms));
  REQUIRE((*batch)[1].Ack());

  auto again = pull.Fetch(10, 5s);
  REQUIRE(again);
  REQUIRE(again->size() == 1);
  CHECK((*again)[0].data() == "first");
  CHECK((*again)[0].Metadata()->deliveries == 2);
  REQUIRE((*again)[0].Term());
  CHECK(KindOf(pull.Fetch(10, 200ms)) == NatsErrorKind::kTimeout);  // terminated: not again
}

TEST_CASE("a request nobody answers fails with no responders, an unanswered one with a timeout",
          "[nats][connection]") {
  NatsServer server;
  server.Start();
  auto connection = Connect(server);
  CHECK(KindOf(connection->Request("nobody.listens", "{}", 2s)) == NatsErrorKind::kNoResponders);
  CHECK_FALSE(connection->IsClosed());
  connection->Close();
  CHECK(connection->IsClosed());
  CHECK(KindOf(connection->Publish("any.subject", "x")) == NatsErrorKind::kNotConnected);
}
