// The services' admin endpoints (<service>.admin.>, dead letters) under the
// shipped NATS configuration: each service may subscribe to its own, admin
// may use them (logistics-admin as admin), and client, reader and the other
// services may not publish there.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "integration/secure_system.hpp"
#include "support/harness/child_process.hpp"
#include "support/harness/nats_client.hpp"

namespace logistics::testing {
namespace {

// Runs logistics-admin as `user` (its password file) to its end.
std::pair<ExitStatus, std::string> AdminAs(SecureSystem& system, const std::string& user,
                                           std::vector<std::string> args) {
  std::vector<std::string> command = {"--nats-url", system.nats().url(), "--nats-user", user,
                                      "--nats-password-file", system.PasswordFile(user).string(),
                                      "--timeout", "2"};
  command.insert(command.end(), args.begin(), args.end());
  ChildProcess tool(LOGISTICS_ADMIN_BIN, command, {}, system.PasswordFile(user).parent_path().parent_path(),
                    "logistics-admin-" + user);
  tool.Start();
  const auto exit = tool.WaitForExit(std::chrono::seconds(60));
  REQUIRE(exit);
  UNSCOPED_INFO("logistics-admin as " << user << ": " << exit->ToString() << "\n" << tool.Log());
  return {*exit, tool.Log()};
}

// True when `client`'s request on `subject` got through the server and was answered.
bool Answered(NatsClient& client, const std::string& subject, const std::string& body = "{}") {
  natsMsg* raw = nullptr;
  const natsStatus status =
      natsConnection_RequestString(&raw, client.connection(), subject.c_str(), body.c_str(), 1000);
  const NatsMessagePtr reply(raw);
  return status == NATS_OK;
}

}  // namespace

TEST_CASE("only admin may use the services' admin endpoints", "[secure][admin]") {
  SecureSystem system;
  REQUIRE(system.Provision().first.Success());
  system.Start("orders", LOGISTICS_ORDERS_BIN);
  system.Start("payments", LOGISTICS_PAYMENTS_BIN);
  system.Start("notifications", LOGISTICS_NOTIFICATIONS_BIN);

  // Each service subscribed to its own admin endpoints, and admin reaches them.
  for (const std::string service : {"orders", "payments", "notifications"}) {
    INFO(service);
    const auto [exit, output] = AdminAs(system, "admin", {"dead-letters", "list", "--service", service});
    CHECK(exit.Success());
    CHECK(output == "no dead letters\n");
    CHECK(system.LogLinesMentioning("Subscription Violation - User \"" + service + "\"").empty());
  }

  // Nobody else may send there: the server refuses the publish.
  for (const std::string user : {"client", "reader", "payments"}) {
    INFO(user);
    const std::unique_ptr<NatsClient> other = system.ClientOf(user);
    for (const std::string subject :
         {"orders.admin.dead-letters.list", "orders.admin.dead-letters.discard"}) {
      CHECK_FALSE(Answered(*other, subject, R"({"event_id":"e1","reason":"x","by":"y"})"));
      CHECK_THAT(system.nats().Log(),
                 Catch::Contains("Publish Violation - User \"" + user + "\", Subject \"" + subject + "\""));
    }
  }
  const auto [refused, said] = AdminAs(system, "client", {"dead-letters", "list", "--service", "orders"});
  CHECK(refused.exited);
  CHECK(refused.code == 1);
  CHECK_THAT(said, Catch::Contains("no answer on orders.admin.dead-letters.list"));
}

}  // namespace logistics::testing
