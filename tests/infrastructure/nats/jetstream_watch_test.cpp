// The JetStream watch of a Connection (settings.jetstream_check_interval):
// its decisions alone (JetStreamMovePolicy), then on real nats-servers.
//
// Without network namespaces a minority-side node cannot be made here; a
// plain nats-server without JetStream plays the server through which
// JetStream does not answer (its $JS.API.INFO gets no responders), the way a
// cut-off node's does (timeouts, then 503). The partition itself is
// tests/integration/cluster_partition_test.cpp.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "logistics/nats/connection.hpp"
#include "logistics/nats/jetstream_watch.hpp"
#include "support/harness/child_process.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/free_port.hpp"
#include "support/harness/nats_server.hpp"
#include "support/harness/temp_dir.hpp"

using logistics::nats::Connection;
using logistics::nats::ConnectionSettings;
using logistics::nats::JetStreamMovePolicy;
using logistics::nats::JetStreamWatchAction;
using logistics::testing::ChildProcess;
using logistics::testing::Eventually;
using logistics::testing::FreeTcpPort;
using logistics::testing::NatsServer;
using logistics::testing::TempDir;
using namespace std::chrono_literals;

namespace {

using Clock = JetStreamMovePolicy::Clock;

// A nats-server without JetStream (NatsServer always passes -js).
class PlainNatsServer {
 public:
  PlainNatsServer()
      : port_(FreeTcpPort()),
        process_("nats-server", {"-a", "127.0.0.1", "-p", std::to_string(port_)}, {}, dir_.path(),
                 "plain-nats-server") {
    process_.Start();
    REQUIRE(process_.WaitForLog("Server is ready", 20s));
  }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

 private:
  TempDir dir_{"plain-nats"};
  int port_;
  ChildProcess process_;
};

// Everything this process writes on stderr (our log lines) while it lives,
// into a file; given back by Text() and restored by the destructor.
class StderrCapture {
 public:
  StderrCapture() : path_(dir_.path() / "stderr.log") {
    std::fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    const int file = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(file >= 0);
    dup2(file, STDERR_FILENO);
    close(file);
  }
  ~StderrCapture() {
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
  }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  std::string Text() const {
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  int Count(const std::string& needle) const {
    const std::string text = Text();
    int count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++count;
    }
    return count;
  }

 private:
  TempDir dir_{"stderr-capture"};
  std::filesystem::path path_;
  int saved_ = -1;
};

std::unique_ptr<Connection> ConnectWatched(const std::string& urls,
                                           std::chrono::milliseconds interval) {
  ConnectionSettings settings;
  settings.url = urls;
  settings.jetstream_check_interval = interval;
  auto connection = Connection::Connect(settings);
  REQUIRE(connection.has_value());
  return std::move(*connection);
}

bool JetStreamAnswers(Connection& connection) {
  auto reply = connection.Request("$JS.API.INFO", "", 1s);
  return reply.has_value() && std::string(reply->data()).find("\"error\"") == std::string::npos;
}

}  // namespace

TEST_CASE("the JetStream watch moves after three failed checks in a row, not before",
          "[nats][jetstream-watch]") {
  JetStreamMovePolicy policy(100ms);
  const Clock::time_point t0 = Clock::now();
  CHECK(policy.AfterCheck(false, true, true, t0) == JetStreamWatchAction::kNothing);
  CHECK(policy.AfterCheck(false, false, true, t0 + 100ms) == JetStreamWatchAction::kNothing);
  CHECK(policy.AfterCheck(true, false, true, t0 + 200ms) == JetStreamWatchAction::kNothing);
  CHECK(policy.AfterCheck(false, false, true, t0 + 300ms) == JetStreamWatchAction::kNothing);
  CHECK(policy.AfterCheck(false, false, true, t0 + 400ms) == JetStreamWatchAction::kNothing);
  CHECK(policy.AfterCheck(false, false, true, t0 + 500ms) == JetStreamWatchAction::kMove);
  // On the next server, a success says the move helped.
  CHECK(policy.AfterCheck(true, true, true, t0 + 600ms) == JetStreamWatchAction::kReportRecovered);
  CHECK(policy.AfterCheck(true, false, true, t0 + 700ms) == JetStreamWatchAction::kNothing);
}

TEST_CASE("the JetStream watch with no other server to go to warns once per failing streak",
          "[nats][jetstream-watch]") {
  JetStreamMovePolicy policy(100ms);
  const Clock::time_point t0 = Clock::now();
  int warnings = 0;
  for (int i = 0; i < 50; ++i) {
    const auto action = policy.AfterCheck(false, i == 0, false, t0 + i * 100ms);
    CHECK(action != JetStreamWatchAction::kMove);
    warnings += action == JetStreamWatchAction::kWarnNowhereToGo ? 1 : 0;
  }
  CHECK(warnings == 1);
  CHECK(policy.AfterCheck(true, false, false, t0 + 5s) == JetStreamWatchAction::kReportRecovered);
  for (int i = 0; i < 3; ++i) (void)policy.AfterCheck(false, false, false, t0 + 6s);
  CHECK(policy.failures() == 3);  // a new streak: warned again (the third check above)
}

TEST_CASE("moves that do not help wait twice as long each time, up to a minute",
          "[nats][jetstream-watch]") {
  JetStreamMovePolicy policy(1s);
  Clock::time_point now = Clock::now();
  std::vector<std::chrono::milliseconds> gaps;
  Clock::time_point last_move{};
  for (int i = 0; i < 2000 && gaps.size() < 8; ++i) {
    now += 1s;
    // Every move lands on another server, where JetStream fails as well.
    const bool new_server = last_move != Clock::time_point{} && now - last_move == 1s;
    if (policy.AfterCheck(false, new_server, true, now) == JetStreamWatchAction::kMove) {
      if (last_move != Clock::time_point{}) {
        gaps.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(now - last_move));
      }
      last_move = now;
    }
  }
  REQUIRE(gaps.size() == 8);
  // First back-off: 2 x 3 failures x 1 s; then doubled, capped at 60 s.
  CHECK(gaps[0] == 6s);
  CHECK(gaps[1] == 12s);
  CHECK(gaps[2] == 24s);
  CHECK(gaps[3] == 48s);
  CHECK(gaps[4] == 60s);
  CHECK(gaps[7] == 60s);
  // One success and the next move is immediate again.
  CHECK(policy.AfterCheck(true, false, true, now + 1s) == JetStreamWatchAction::kReportRecovered);
  for (int i = 2; i <= 3; ++i) (void)policy.AfterCheck(false, false, true, now + i * 1s);
  CHECK(policy.AfterCheck(false, false, true, now + 4s) == JetStreamWatchAction::kMove);
}

TEST_CASE("a connection to its only server, which has no JetStream, stays there and warns once",
          "[nats][jetstream-watch]") {
  PlainNatsServer plain;
  StderrCapture log;
  auto connection = ConnectWatched(plain.url(), 50ms);
  REQUIRE(connection->IsConnected());
  const std::string server = connection->ServerId();
  // The warning comes after three failed checks; then 40 more checks fail.
  REQUIRE(Eventually([&] { return log.Count("no other server is known") == 1; }, 5s));
  const auto until = Clock::now() + 2s;
  REQUIRE_FALSE(Eventually([&] { return log.Count("JetStream does not answer") > 1; },
                           std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now())));
  CHECK(connection->JetStreamMoves() == 0);
  CHECK(connection->IsConnected());
  CHECK(connection->ServerId() == server);
  CHECK(log.Count("disconnected") == 0);
  connection->Close();
  INFO(log.Text());
}

TEST_CASE("a connection whose server has no JetStream moves to a known server where it answers",
          "[nats][jetstream-watch]") {
  PlainNatsServer plain;
  NatsServer jetstream;  // its port is known before it runs
  StderrCapture log;
  // Only the plain server runs at first, so that is where the connection goes.
  auto connection = ConnectWatched(plain.url() + "," + jetstream.url(), 50ms);
  REQUIRE(connection->IsConnected());
  REQUIRE_FALSE(JetStreamAnswers(*connection));
  jetstream.Start();
  INFO(log.Text());
  REQUIRE(Eventually([&] { return JetStreamAnswers(*connection); }, 10s));
  CHECK(connection->JetStreamMoves() >= 1);
  CHECK(log.Count("moving to another server") >= 1);
  CHECK(log.Count("\"server\":\"" + plain.url()) >= 1);  // the warning names the server it leaves
  REQUIRE(Eventually([&] { return log.Count("JetStream answers through the NATS server") == 1; }, 5s));
  // Settled: 20 more checks (1 s) move it nowhere.
  const auto moves = connection->JetStreamMoves();
  REQUIRE_FALSE(Eventually([&] { return connection->JetStreamMoves() != moves; }, 1s));
}

TEST_CASE("a connection whose known servers are no better moves with a growing back-off",
          "[nats][jetstream-watch]") {
  PlainNatsServer plain;
  const std::string absent = "nats://127.0.0.1:" + std::to_string(FreeTcpPort());
  StderrCapture log;
  auto connection = ConnectWatched(plain.url() + "," + absent, 50ms);
  REQUIRE(connection->IsConnected());
  // Without a back-off it would move after every three checks (150 ms):
  // some 30 times in 5 s. With it, the moves are at least 0.3, 0.6, 1.2,
  // 2.4, 4.8 s apart: five in the first 5 s at most.
  REQUIRE_FALSE(Eventually([&] { return connection->JetStreamMoves() > 5; }, 5s));
  INFO(log.Text());
  CHECK(connection->JetStreamMoves() >= 2);
  CHECK(Eventually([&] { return connection->IsConnected(); }, 5s));
}

TEST_CASE("closing a connection stops its JetStream watch in the middle of a check",
          "[nats][jetstream-watch]") {
  PlainNatsServer plain;
  // A subscriber that never answers: the watch's checks wait their full
  // timeout (the interval, at most 2 s) for a reply.
  ConnectionSettings silent_settings;
  silent_settings.url = plain.url();
  auto silent = Connection::Connect(silent_settings);
  REQUIRE(silent.has_value());
  natsSubscription* raw = nullptr;
  REQUIRE(natsConnection_SubscribeSync(&raw, (*silent)->get(), "$JS.API.INFO") == NATS_OK);
  logistics::nats::SubscriptionHandle subscription(raw);
  REQUIRE((*silent)->Flush(2s).has_value());

  auto connection = ConnectWatched(plain.url(), 1500ms);
  // The first check starts after one interval and waits up to 1.5 s.
  REQUIRE(Eventually([&] {
    int pending = 0;
    natsSubscription_GetPending(raw, &pending, nullptr);
    return pending > 0;
  }, 5s));
  const auto started = Clock::now();
  connection->Close();
  CHECK(Clock::now() - started < 1600ms);
  CHECK(connection->IsClosed());
}
