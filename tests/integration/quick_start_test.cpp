// The quick start of the README, run as a user would: `scripts/run` builds
// (a no-op here: it gets this test's build directory), starts nats-server and
// every service, and stops them all on SIGTERM.
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "integration/run_script.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/free_port.hpp"
#include "support/harness/http_client.hpp"
#include "support/harness/loopback_port.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/prometheus_text.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {
namespace {

using namespace std::chrono_literals;

TEST_CASE("the quick start runs the system and stops it cleanly", "[quick-start][scripts]") {
  TempDir data("quick-start-data");
  TempDir logs("quick-start-logs");  // outside DATA_DIR, so only started processes mention it
  // The quick start's own metrics ports, NATS_PORT + 100..102, must be free too.
  const int port = FreePortRun(103);
  RunScript run({}, {{"NATS_PORT", std::to_string(port)}}, data.path(), logs.path(), "scripts-run");
  run.StartAndWaitUntilReady();

  {
    NatsClient client("nats://127.0.0.1:" + std::to_string(port));
    const Reply reply = client.Request(
        "orders.cmd.create",
        R"({"tracking_number":"TRK-QUICK-1","customer_name":"Ana","origin":"Madrid","destination":"Lisbon"})");
    REQUIRE(reply.Status() == 200);
    const nlohmann::json order = reply.Json();
    CHECK(order.contains("order_id"));
    CHECK(order["status"] == "CREATED");
  }

  {
    // Metrics on by default, at NATS_PORT + 100 for orders, and the summary says where.
    const std::string url = "http://127.0.0.1:" + std::to_string(port + 100) + "/metrics";
    CHECK_THAT(run.Log(), Catch::Contains("metrics    " + url));
    std::string body;
    const bool counted = Eventually([&] {
      const HttpResponse response = HttpGet(url);
      body = response.body + response.error;
      return PrometheusText::Parse(response.body)
                 .Value(
                     "messaging_client_consumed_messages_total",
                     {{"messaging_destination_name", "orders.cmd.create"}, {"outcome", "success"}})
                 .value_or(0) == 1;
    });
    INFO("--- " << url << " ---\n" << body);
    CHECK(counted);
  }

  run.StopCleanly();
}

TEST_CASE("the quick start refuses to start when its NATS port is taken",
          "[quick-start][scripts]") {
  TempDir data("quick-start-data");
  TempDir logs("quick-start-logs");
  const int port = FreeTcpPort();
  const PortHolder holder(port);
  RunScript run({}, {{"NATS_PORT", std::to_string(port)}}, data.path(), logs.path(), "scripts-run");
  run.Start();

  const std::optional<ExitStatus> status = run.WaitForExit(60s);
  INFO("--- scripts/run output ---\n" << run.Log());
  REQUIRE(status.has_value());
  CHECK_FALSE(status->Success());
  CHECK_THAT(run.Log(),
             Catch::Contains("port " + std::to_string(port) + " on 127.0.0.1 is already in use"));
  CHECK(run.LeftRunning() == std::vector<std::string>{});
}

}  // namespace
}  // namespace logistics::testing
