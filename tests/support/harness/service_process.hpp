// ServiceProcess: one of our service binaries (orders, payments, ...) running
// under a test.
//
// A ChildProcess (own process group, log file, always stopped and reaped; see
// child_process.hpp) that also knows how a service says it is ready: it logs
// exactly one JSON line whose "message" contains "service ready" once it takes
// requests. Binary paths come from CMake, e.g. LOGISTICS_ORDERS_BIN.
//
// Usage:
//   ServiceProcess orders(LOGISTICS_ORDERS_BIN,
//                         {"--nats-url", nats.url(), "--db", (dir / "orders.db").string()},
//                         {{"LOG_LEVEL", "debug"}}, dir.path());
//   orders.Start();
//   REQUIRE(orders.WaitUntilReady());
//   ...
//   CHECK(orders.Terminate().Success());
//
// Thread-safety: none; one ServiceProcess is driven by one test thread.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "support/harness/child_process.hpp"

namespace logistics::testing {

class ServiceProcess : public ChildProcess {
 public:
  // Records the command; Start() runs it (see ChildProcess).
  ServiceProcess(std::string binary, std::vector<std::string> args,
                 std::map<std::string, std::string> env, std::filesystem::path log_dir)
      : ChildProcess(std::move(binary), std::move(args), std::move(env), std::move(log_dir)) {}

  // Waits up to `timeout` for the "service ready" log line of the current
  // run. Returns false if the service exits first or the time runs out, and
  // then attaches the service's log to the test's next assertion (Catch2
  // UNSCOPED_INFO), so `REQUIRE(service.WaitUntilReady())` explains itself.
  [[nodiscard]] bool WaitUntilReady(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if (WaitForLog("service ready", timeout)) return true;
    const std::string how =
        Running() ? "is not ready after " + std::to_string(timeout.count()) + " ms"
                  : "exited before it was ready (" +
                        exit_status().value_or(testing::ExitStatus{}).ToString() + ")";
    UNSCOPED_INFO(log_path().stem().string()
                  << " " << how << "\n--- " << log_path().string() << " ---\n"
                  << Log());
    return false;
  }
};

}  // namespace logistics::testing
