// nats::Subscription against a real nats-server: Close() returns only once the
// message handler has run for the last time, so its closure may then be freed.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "logistics/nats/connection.hpp"
#include "logistics/nats/subscription.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"

using logistics::nats::Connection;
using logistics::nats::ConnectionSettings;
using logistics::nats::Subscription;
using logistics::testing::NatsClient;
using logistics::testing::NatsServer;

namespace {

// A handler that blocks in its first call until the test opens the gate.
struct GatedHandler {
  logistics::nats::MessageHandler Bind() {
    return [this](logistics::nats::Message) { OnMessage(); };
  }
  void OnMessage() {
    std::unique_lock lock(mutex);
    ++calls;
    changed.notify_all();
    changed.wait(lock, [this] { return open; });
  }
  bool WaitForCalls(int count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return calls >= count; });
  }
  void Open() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }

  std::mutex mutex;
  std::condition_variable changed;
  int calls = 0;
  bool open = false;
};

std::unique_ptr<Connection> Connect(const NatsServer& server) {
  ConnectionSettings settings;
  settings.url = server.url();
  auto connection = Connection::Connect(settings);
  REQUIRE(connection);
  REQUIRE((*connection)->IsConnected());
  return std::move(*connection);
}

}  // namespace

SCENARIO("closing a subscription waits for the handler call under way", "[nats][subscription]") {
  GIVEN("a subscription whose handler is in the middle of a call") {
    NatsServer server;
    server.Start();
    auto connection = Connect(server);
    GatedHandler handler;
    auto subscription =
        Subscription::Subscribe(*connection, "test.gated", "", handler.Bind());
    REQUIRE(subscription);
    REQUIRE(connection->Flush(std::chrono::seconds(5)));
    NatsClient client(server.url());
    client.Publish("test.gated", "1");
    REQUIRE(handler.WaitForCalls(1));

    WHEN("it is closed while the call is still running") {
      const bool closed_early = (*subscription)->Close(std::chrono::milliseconds(100));
      handler.Open();
      THEN("Close reports the running call, and confirms once the call has returned") {
        CHECK_FALSE(closed_early);
        CHECK((*subscription)->Close(std::chrono::seconds(10)));
        CHECK(handler.calls == 1);
      }
    }
  }
}

TEST_CASE("a subscription whose connection closed is confirmed closed at once",
          "[nats][subscription]") {
  NatsServer server;
  server.Start();
  auto connection = Connect(server);
  GatedHandler handler;
  handler.Open();
  auto subscription =
      Subscription::Subscribe(*connection, "test.closed", "q", handler.Bind());
  REQUIRE(subscription);
  connection->Close();  // closes every subscription of the connection
  CHECK((*subscription)->Close(std::chrono::seconds(10)));
}
