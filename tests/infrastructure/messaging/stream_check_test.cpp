// Streams and durable consumers set up and checked against a real
// nats-server (stream_setup.hpp, stream_check.hpp): what a service that may
// manage them creates is exactly what a service that may not accepts, and
// every difference is named.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "logistics/messaging/stream_check.hpp"
#include "logistics/messaging/stream_setup.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/jet_stream.hpp"
#include "support/harness/nats_server.hpp"

using logistics::messaging::CheckDurableConsumer;
using logistics::messaging::CheckStream;
using logistics::messaging::ConsumerSpec;
using logistics::messaging::DurableConfigOf;
using logistics::messaging::EnsureStream;
using logistics::messaging::ProvisioningProblem;
using logistics::messaging::StreamSpec;
using logistics::testing::NatsServer;
namespace nats = logistics::nats;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<nats::JetStream> JetStreamOn(const NatsServer& server,
                                             std::unique_ptr<nats::Connection>& connection) {
  nats::ConnectionSettings settings;
  settings.url = server.url();
  auto connected = nats::Connection::Connect(settings);
  REQUIRE(connected);
  connection = std::move(*connected);
  auto js = nats::JetStream::Create(*connection);
  REQUIRE(js);
  return std::move(*js);
}

StreamSpec Spec() {
  return StreamSpec{"CHECKED", {"checked.events.>"}, 10min, "stream check test", 24h * 90,
                    std::int64_t{1} << 30};
}

}  // namespace

TEST_CASE("a stream set up by a managing service passes the check, retention included",
          "[messaging][streams]") {
  NatsServer server;
  server.Start();
  std::unique_ptr<nats::Connection> connection;
  auto js = JetStreamOn(server, connection);

  auto missing = CheckStream(*js, Spec());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ProvisioningProblem::Kind::kMissing);
  CHECK_THAT(missing.error().message, Catch::Contains("stream CHECKED does not exist"));

  REQUIRE(EnsureStream(*js, Spec()));
  CHECK(CheckStream(*js, Spec()));
  auto info = js->GetStreamInfo("CHECKED");
  REQUIRE(info);
  CHECK(info->config.max_age == std::chrono::nanoseconds(24h * 90));
  CHECK(info->config.max_bytes == std::int64_t{1} << 30);

  StreamSpec other = Spec();
  other.duplicate_window = 15min;
  other.max_age = 0ms;
  auto different = CheckStream(*js, other);
  REQUIRE_FALSE(different);
  CHECK(different.error().kind == ProvisioningProblem::Kind::kDifferent);
  CHECK_THAT(different.error().message,
             Catch::Contains("duplicate window 600 s instead of 900 s") &&
                 Catch::Contains("max age 7776000 s instead of 0 s"));

  // Setting it up again with the other retention corrects it.
  REQUIRE(EnsureStream(*js, other));
  CHECK(CheckStream(*js, other));
}

TEST_CASE("a stream with another replica count is reported as configured differently, naming both",
          "[messaging][streams][replicas]") {
  NatsServer server;
  server.Start();
  std::unique_ptr<nats::Connection> connection;
  auto js = JetStreamOn(server, connection);
  REQUIRE(EnsureStream(*js, Spec()));  // one replica: a single server has no other

  StreamSpec replicated = Spec();
  replicated.replicas = 3;
  auto different = CheckStream(*js, replicated);

  REQUIRE_FALSE(different);
  CHECK(different.error().kind == ProvisioningProblem::Kind::kDifferent);
  CHECK_THAT(different.error().message,
             Catch::Contains("stream CHECKED is configured differently") &&
                 Catch::Contains("replicas 1 instead of 3"));
}

TEST_CASE("a durable consumer is checked for its filter, acks, ack wait and delivery limit",
          "[messaging][streams]") {
  NatsServer server;
  server.Start();
  std::unique_ptr<nats::Connection> connection;
  auto js = JetStreamOn(server, connection);
  REQUIRE(EnsureStream(*js, Spec()));
  ConsumerSpec spec;
  spec.stream = "CHECKED";
  spec.durable = "reader-checked";
  spec.filter_subject = "checked.events.>";
  spec.ack_wait = 30s;

  auto missing = CheckDurableConsumer(*js, spec);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ProvisioningProblem::Kind::kMissing);

  REQUIRE(js->EnsureDurableConsumer(DurableConfigOf(spec)));
  CHECK(CheckDurableConsumer(*js, spec));

  ConsumerSpec slower = spec;
  slower.ack_wait = 1500ms;
  auto different = CheckDurableConsumer(*js, slower);
  REQUIRE_FALSE(different);
  CHECK(different.error().kind == ProvisioningProblem::Kind::kDifferent);
  CHECK_THAT(different.error().message, Catch::Contains("ack wait 30 s instead of 1.5 s"));
}
