// Connection against a real nats-server: its callbacks never outlive it.
//
// nats.c runs a connection's disconnected and closed callbacks on its one
// callback thread after natsConnection_Close has returned. These tests take
// that thread hostage with a plain nats.c connection whose closed callback
// blocks until the test opens a gate, so "the callbacks run after the
// Connection was destroyed" happens every time rather than by chance. Under
// AddressSanitizer a callback that reads a freed Connection stops the test.
#include <nats/nats.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "logistics/nats/connection.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_server.hpp"

using logistics::nats::Connection;
using logistics::nats::ConnectionSettings;
using logistics::testing::Eventually;
using logistics::testing::NatsServer;

namespace {

// A plain nats.c connection whose closed callback runs `on_closed` (on nats.c's
// callback thread) when Close() is called.
class RawConnection {
 public:
  RawConnection(const std::string& url, void (*on_closed)(natsConnection*, void*), void* closure) {
    natsOptions* options = nullptr;
    REQUIRE(natsOptions_Create(&options) == NATS_OK);
    options_.reset(options);
    REQUIRE(natsOptions_SetURL(options, url.c_str()) == NATS_OK);
    REQUIRE(natsOptions_SetClosedCB(options, on_closed, closure) == NATS_OK);
    natsConnection* connection = nullptr;
    REQUIRE(natsConnection_Connect(&connection, options) == NATS_OK);
    connection_.reset(connection);
  }
  void Close() { natsConnection_Close(connection_.get()); }

 private:
  logistics::nats::OptionsHandle options_;
  logistics::nats::ConnectionHandle connection_;
};

// Holds nats.c's callback thread inside a closed callback until Open(). The
// gate opens by itself when the test ends, so a failing test never leaves the
// thread blocked.
class CallbackThreadHostage {
 public:
  explicit CallbackThreadHostage(const std::string& url)
      : connection_(url, &CallbackThreadHostage::Hold, this) {}
  ~CallbackThreadHostage() {
    Open();
    connection_.Close();  // if Take() never did: Hold must not run after we are gone
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return released_; });
  }
  CallbackThreadHostage(const CallbackThreadHostage&) = delete;
  CallbackThreadHostage& operator=(const CallbackThreadHostage&) = delete;

  // Returns once nats.c's callback thread is blocked in Hold.
  void Take() {
    connection_.Close();
    std::unique_lock lock(mutex_);
    REQUIRE(changed_.wait_for(lock, std::chrono::seconds(10), [this] { return holding_; }));
  }
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  static void Hold(natsConnection*, void* closure) {
    auto* self = static_cast<CallbackThreadHostage*>(closure);
    std::unique_lock lock(self->mutex_);
    self->holding_ = true;
    self->changed_.notify_all();
    self->changed_.wait(lock, [self] { return self->open_; });
    self->released_ = true;
    self->changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool holding_ = false;   // Hold has started
  bool open_ = false;      // Hold may return
  bool released_ = false;  // Hold has (all but) returned
  RawConnection connection_;
};

// Returns once nats.c's callback thread has run every callback queued before
// this call: callbacks run one at a time, in the order they were queued.
void WaitForQueuedCallbacks(const std::string& url) {
  std::atomic<bool> reached{false};
  RawConnection marker(
      url, [](natsConnection*, void* flag) { static_cast<std::atomic<bool>*>(flag)->store(true); },
      &reached);
  marker.Close();
  REQUIRE(Eventually([&] { return reached.load(); }));
}

}  // namespace

SCENARIO("a connection is never freed while nats.c still has its callbacks queued",
         "[nats][connection]") {
  GIVEN("a connected Connection, and nats.c's callback thread busy with another connection") {
    NatsServer server;
    server.Start();
    std::atomic<int> outages{0};
    ConnectionSettings settings;
    settings.url = server.url();
    settings.on_disconnected = [&] { ++outages; };
    settings.close_timeout = std::chrono::milliseconds(200);
    auto connection = Connection::Connect(settings);
    REQUIRE(connection);
    REQUIRE((*connection)->IsConnected());
    CallbackThreadHostage hostage(server.url());
    hostage.Take();

    WHEN("it is destroyed, and nats.c runs its callbacks only afterwards") {
      const auto started = std::chrono::steady_clock::now();
      connection->reset();
      const auto waited = std::chrono::steady_clock::now() - started;
      hostage.Open();
      WaitForQueuedCallbacks(server.url());

      THEN("the destructor waited for the closed callback (up to its bound), and the late "
           "callbacks touched no freed memory and reported no outage") {
        CHECK(waited >= settings.close_timeout);
        // AddressSanitizer has stopped the test by now if they read a freed
        // Connection; a disconnect we asked for is not an outage.
        CHECK(outages == 0);
      }
    }
  }
}

TEST_CASE("connections opened and destroyed in quick succession outlive none of their callbacks",
          "[nats][connection]") {
  // What logistics-events does once per run: connect, work, exit. Without
  // nats.c's callback thread held, the race is the real one.
  NatsServer server;
  server.Start();
  ConnectionSettings settings;
  settings.url = server.url();
  for (int i = 0; i < 20; ++i) {
    auto connection = Connection::Connect(settings);
    REQUIRE(connection);
    REQUIRE((*connection)->IsConnected());
  }
  WaitForQueuedCallbacks(server.url());
}

TEST_CASE("a connection closed from inside its own callback does not wait for itself",
          "[nats][connection]") {
  NatsServer server;  // not started yet: the first connect is retried in the background
  std::atomic<Connection*> self{nullptr};
  std::atomic<bool> closed_inside{false};
  ConnectionSettings settings;
  settings.url = server.url();
  settings.reconnect_wait = std::chrono::milliseconds(50);
  // Far longer than the test waits: a Close() that waited for its own closed
  // callback (which cannot run before this one returns) would fail the test.
  settings.close_timeout = std::chrono::minutes(2);
  settings.on_reconnected = [&] {
    if (Connection* connection = self.load()) {
      connection->Close();
      closed_inside = true;
    }
  };
  auto connection = Connection::Connect(settings);
  REQUIRE(connection);
  REQUIRE_FALSE((*connection)->IsConnected());
  self = connection->get();
  server.Start();  // nats.c connects and calls on_reconnected on its callback thread
  CHECK(Eventually([&] { return closed_inside.load(); }, std::chrono::seconds(20)));
}

#include <fstream>

#include "support/harness/temp_dir.hpp"

TEST_CASE("a connection knows the server's max payload once connected", "[nats]") {
  logistics::testing::TempDir dir("max-payload");
  const auto config = dir.path() / "small.conf";
  std::ofstream(config) << "max_payload: 4096\n";
  logistics::testing::NatsServerOptions options;
  options.extra_args = {"-c", config.string()};
  NatsServer server(options);
  server.Start();
  ConnectionSettings settings;
  settings.url = server.url();
  auto connection = Connection::Connect(settings);
  REQUIRE(connection);
  REQUIRE(Eventually([&] { return (*connection)->IsConnected(); }));
  CHECK((*connection)->MaxPayload() == std::size_t{4096});

  // While the server is away, the last one's limit still holds.
  server.Stop();
  REQUIRE(Eventually([&] { return !(*connection)->IsConnected(); }));
  CHECK((*connection)->MaxPayload() == std::size_t{4096});
}
