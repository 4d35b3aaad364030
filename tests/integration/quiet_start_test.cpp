// A normal start says nothing alarming: the three services started in the
// order that makes every consumer wait for its stream (its owner is not
// running yet) log no warning and no error, and once the owners have created
// the streams every consumer's status shows no error.
#include <catch2/catch.hpp>

#include <sstream>

#include "integration/orders_system.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

// The log lines at warn or error (JSON lines: stderr is not a terminal).
std::vector<std::string> Alarming(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    const json entry = json::parse(line, nullptr, false);
    if (!entry.is_object()) continue;  // not a log line of ours
    const std::string level = entry.value("level", "");
    if (level == "warn" || level == "error") lines.push_back(line);
  }
  return lines;
}

// Every consumer of `service` with its last_error, "" when none.
std::map<std::string, std::string> ConsumerErrors(OrdersSystem& system, const std::string& service) {
  std::map<std::string, std::string> errors;
  const auto reply = system.client().TryRequest(service + ".query.status", "{}");
  if (!reply.error.empty() || reply.Status() != 200) return {{"(status)", "no status reply"}};
  const json status = reply.Json();
  for (const auto& [durable, figures] : status["consumers"].items()) {
    errors[durable] = figures.value("last_error", "?");
  }
  return errors;
}

bool AllEmpty(const std::map<std::string, std::string>& errors) {
  return std::all_of(errors.begin(), errors.end(), [](const auto& entry) { return entry.second.empty(); });
}

}  // namespace

TEST_CASE("a normal start of the three services logs no warning and leaves no consumer error",
          "[integration][operations]") {
  OrdersSystem system;
  // Consumers first, streams' owners last: each consumer starts before its
  // stream exists, the expected wait of a start where all start at once.
  system.StartNotifications();
  system.StartPayments();
  system.StartOrders();
  // An order through the system, so the consumers of ORDERS have worked.
  REQUIRE(system.Create("QUIET-1").Status() == 200);

  std::map<std::string, std::map<std::string, std::string>> errors;
  const bool healthy = Eventually(
      [&] {
        for (const char* service : {"orders", "payments", "notifications"}) {
          errors[service] = ConsumerErrors(system, service);
        }
        return AllEmpty(errors["orders"]) && AllEmpty(errors["payments"]) &&
               AllEmpty(errors["notifications"]) && errors["notifications"].size() == 2;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(200));
  std::string seen;
  for (const auto& [service, consumers] : errors) {
    for (const auto& [durable, error] : consumers) seen += service + " " + durable + ": '" + error + "'\n";
  }
  INFO(seen);
  CHECK(healthy);

  // The wait for a stream was said, at info.
  CHECK_THAT(system.notifications().Log(), Catch::Contains("consumer waits for its stream"));
  for (auto* service : {&system.orders(), &system.payments(), &system.notifications()}) {
    const auto alarming = Alarming(service->Log());
    INFO(service->log_path().string() << ":\n" << service->Log());
    CHECK(alarming.empty());
  }
}
