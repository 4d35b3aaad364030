// scripts/run's topologies, run for real as a user would: `--cluster` (three
// nats-server nodes from deploy/nats/cluster/, the services on all three with
// replicated streams) and `--instances N` (several processes of orders and
// payments on one database). The script builds nothing here: it gets this
// test's build directory, where the binaries already are.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "integration/run_script.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/free_port.hpp"
#include "support/harness/http_client.hpp"
#include "support/harness/loopback_port.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The pid scripts/run's summary gives for a process ("orders-2\n  pid  1234").
std::optional<pid_t> SummaryPid(const std::string& log, const std::string& name) {
  const std::regex pattern("(^|\\n)" + name + "\\n  pid +([0-9]+)");
  std::smatch match;
  if (!std::regex_search(log, match, pattern)) return std::nullopt;
  return static_cast<pid_t>(std::stoi(match[2].str()));
}

// What bash prints of a background job that a signal ended ("line 183: 4242
// Killed   ( for assignment in ...; exec setsid "$@" ) > ..."): never shown.
void CheckNoBashJobReport(const std::string& output) {
  CHECK_THAT(output, !Catch::Contains("Killed"));
  CHECK_THAT(output, !Catch::Contains("exec setsid"));
  CHECK_THAT(output, !Catch::Contains("for assignment in"));
}

TEST_CASE("scripts/run --cluster runs three NATS nodes and the services keep their events on all "
          "three",
          "[cluster][scripts]") {
  TempDir data("cluster-run-data");
  TempDir logs("cluster-run-logs");  // outside DATA_DIR, so only started processes mention it
  const int nats_port = FreePortRun(3);
  const int route_port = FreePortRun(3, {nats_port, nats_port + 1, nats_port + 2});
  std::set<int> taken;
  for (int i = 0; i < 3; ++i) taken.insert({nats_port + i, route_port + i});
  const int metrics_port = FreePortRun(3, taken);
  RunScript run({"--cluster"},
                {{"NATS_PORT", std::to_string(nats_port)},
                 {"NATS_CLUSTER_PORT", std::to_string(route_port)},
                 {"METRICS_PORT_BASE", std::to_string(metrics_port)}},
                data.path(), logs.path(), "scripts-run-cluster");
  run.StartAndWaitUntilReady();
  std::string urls;
  for (int i = 0; i < 3; ++i) {
    urls += (i ? "," : "") + std::string("nats://127.0.0.1:") + std::to_string(nats_port + i);
  }
  CHECK_THAT(run.Log(), Catch::Contains("ready: " + urls + ", a 3-node cluster"));
  for (const std::string node : {"n1", "n2", "n3"}) {
    INFO("node " << node);
    CHECK(std::filesystem::is_directory(data.path() / "nats" / node / "jetstream"));
  }

  NatsClient client(urls, "cluster-run-client");
  const Reply created = client.Request(
      "orders.cmd.create",
      R"({"tracking_number":"TRK-CLUSTER-1","customer_name":"Ana","origin":"Madrid","destination":"Lisbon"})");
  INFO(created.body);
  REQUIRE(created.Status() == 200);
  const std::string order_id = created.Json()["order_id"];

  const bool stored = Eventually(
      [&] {
        for (const StreamMessage& event : client.ReadStream("ORDERS", "orders.events.>")) {
          if (event.Json()["data"].value("order_id", "") == order_id) return true;
        }
        return false;
      },
      15s, 50ms);
  CHECK(stored);

  // ORDERS is replicated on the three nodes: its leader and two replicas.
  const Reply info = client.Request("$JS.API.STREAM.INFO.ORDERS", "");
  const json stream = info.Json();
  INFO(stream.dump(2));
  CHECK(stream["config"]["num_replicas"] == 3);
  REQUIRE(stream.contains("cluster"));
  CHECK(stream["cluster"]["name"] == "logistics");
  std::set<std::string> holders{stream["cluster"].value("leader", "")};
  for (const json& replica : stream["cluster"].value("replicas", json::array())) {
    holders.insert(replica.value("name", ""));
  }
  CHECK(holders == std::set<std::string>{"n1", "n2", "n3"});

  run.StopCleanly();
}

TEST_CASE("scripts/run --instances 2 runs two processes each of orders and payments; when one is "
          "killed it says which in its own words, stops the rest and exits 1",
          "[instances][scripts]") {
  TempDir data("instances-run-data");
  TempDir logs("instances-run-logs");
  const int nats_port = FreePortRun(1);
  // orders-1, orders-2, payments-1, payments-2, notifications
  const int metrics_port = FreePortRun(5, {nats_port});
  RunScript run({"--instances", "2"},
                {{"NATS_PORT", std::to_string(nats_port)},
                 {"METRICS_PORT_BASE", std::to_string(metrics_port)}},
                data.path(), logs.path(), "scripts-run-instances");
  run.StartAndWaitUntilReady();
  const std::string summary = run.Log();
  INFO("--- scripts/run --instances 2 output ---\n" << summary);
  CHECK_THAT(summary, Catch::Contains("with 2xorders 2xpayments notifications;"));

  // Each process its own log and metrics port, in start order; both instances
  // of a service on the service's one database.
  const std::vector<std::string> processes{"orders-1", "orders-2", "payments-1", "payments-2",
                                           "notifications"};
  for (std::size_t i = 0; i < processes.size(); ++i) {
    const std::string& name = processes[i];
    INFO(name);
    const std::string service = name.substr(0, name.find('-'));
    CHECK_THAT(summary,
               Catch::Contains(name + "\n  pid        ") &&
                   Catch::Contains("database   " + (data.path() / (service + ".db")).string()));
    CHECK(std::filesystem::exists(data.path() / "logs" / (name + ".log")));
    const std::string url =
        "http://127.0.0.1:" + std::to_string(metrics_port + static_cast<int>(i)) + "/metrics";
    const HttpResponse metrics = HttpGet(url);
    CHECK(metrics.status == 200);
    CHECK_THAT(metrics.body, Catch::Contains("# TYPE"));
  }

  NatsClient client("nats://127.0.0.1:" + std::to_string(nats_port), "instances-run-client");
  const Reply created = client.Request(
      "orders.cmd.create",
      R"({"tracking_number":"TRK-INSTANCES-1","customer_name":"Ana","origin":"Madrid","destination":"Lisbon"})");
  INFO(created.body);
  CHECK(created.Status() == 200);

  // SIGKILL one instance: bash would report the killed background job with
  // its source; the script says which process ended and stops everything.
  const std::optional<pid_t> victim = SummaryPid(summary, "orders-2");
  REQUIRE(victim.has_value());
  REQUIRE(::kill(*victim, SIGKILL) == 0);
  const std::optional<ExitStatus> status = run.WaitForExit(60s);
  const std::string output = run.Log();
  INFO("--- scripts/run --instances 2 output after SIGKILL of orders-2 ---\n" << output);
  REQUIRE(status.has_value());
  CHECK(status->exited);
  CHECK(status->code == 1);
  CHECK_THAT(output, Catch::Contains("orders-2 (pid " + std::to_string(*victim) +
                                     ") exited unexpectedly"));
  CheckNoBashJobReport(output);
  CHECK(run.LeftRunning() == std::vector<std::string>{});
}

}  // namespace
}  // namespace logistics::testing
