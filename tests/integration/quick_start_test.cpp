// The quick start of the README, run as a user would: `scripts/run` builds
// (a no-op here: it gets this test's build directory), starts nats-server and
// every service, and stops them all on SIGTERM.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "support/harness/child_process.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/free_port.hpp"
#include "support/harness/http_client.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/prometheus_text.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {
namespace {

using namespace std::chrono_literals;

const std::string kRunScript = std::string(LOGISTICS_SOURCE_DIR) + "/scripts/run";

// Processes whose command line mentions `text`, other than this test itself.
std::vector<std::string> ProcessesMentioning(const std::string& text) {
  std::vector<std::string> found;
  const std::string self = std::to_string(::getpid());
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid == self || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream file(entry.path() / "cmdline", std::ios::binary);
    std::string command_line((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
    std::replace(command_line.begin(), command_line.end(), '\0', ' ');
    if (command_line.find(text) != std::string::npos) found.push_back(pid + ": " + command_line);
  }
  return found;
}

// A socket listening on 127.0.0.1:port for as long as it lives.
class PortHolder {
 public:
  explicit PortHolder(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    const int yes = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
  }
  ~PortHolder() {
    if (fd_ >= 0) ::close(fd_);
  }
  PortHolder(const PortHolder&) = delete;
  PortHolder& operator=(const PortHolder&) = delete;

 private:
  int fd_;
};

// Gives scripts/run time to stop its services in order if the test ends early:
// they run in sessions of their own, out of reach of ChildProcess's group kill,
// and its destructor waits only two seconds before killing the script.
class StopScriptOnExit {
 public:
  explicit StopScriptOnExit(ChildProcess& script) : script_(script) {}
  ~StopScriptOnExit() {
    if (script_.Running()) script_.Terminate(60s);
  }
  StopScriptOnExit(const StopScriptOnExit&) = delete;
  StopScriptOnExit& operator=(const StopScriptOnExit&) = delete;

 private:
  ChildProcess& script_;
};

TEST_CASE("the quick start runs the system and stops it cleanly", "[quick-start][scripts]") {
  TempDir data("quick-start-data");
  TempDir logs("quick-start-logs");  // outside DATA_DIR, so only started processes mention it
  const int port = FreeTcpPort();
  ChildProcess run(kRunScript, {},
                   {{"NATS_PORT", std::to_string(port)},
                    {"DATA_DIR", data.string()},
                    {"BUILD_DIR", LOGISTICS_BUILD_DIR}},
                   logs.path(), "scripts-run");
  const StopScriptOnExit stop_script(run);
  run.Start();

  {
    const bool ready = run.WaitForLog("ready:", 150s);
    INFO("--- scripts/run output ---\n" << run.Log());
    REQUIRE(ready);
  }

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

  // Only the script is signalled, as by `kill <pid>`: it must stop what it started.
  REQUIRE(::kill(run.pid(), SIGTERM) == 0);
  const std::optional<ExitStatus> status = run.WaitForExit(60s);
  INFO("--- scripts/run output after SIGTERM ---\n" << run.Log());
  REQUIRE(status.has_value());
  CHECK(status->Success());
  CHECK(ProcessesMentioning(data.string()) == std::vector<std::string>{});
}

TEST_CASE("the quick start refuses to start when its NATS port is taken",
          "[quick-start][scripts]") {
  TempDir data("quick-start-data");
  TempDir logs("quick-start-logs");
  const int port = FreeTcpPort();
  const PortHolder holder(port);
  ChildProcess run(kRunScript, {},
                   {{"NATS_PORT", std::to_string(port)},
                    {"DATA_DIR", data.string()},
                    {"BUILD_DIR", LOGISTICS_BUILD_DIR}},
                   logs.path(), "scripts-run");
  run.Start();

  const std::optional<ExitStatus> status = run.WaitForExit(60s);
  INFO("--- scripts/run output ---\n" << run.Log());
  REQUIRE(status.has_value());
  CHECK_FALSE(status->Success());
  CHECK_THAT(run.Log(),
             Catch::Contains("port " + std::to_string(port) + " on 127.0.0.1 is already in use"));
  CHECK(ProcessesMentioning(data.string()) == std::vector<std::string>{});
}

}  // namespace
}  // namespace logistics::testing
