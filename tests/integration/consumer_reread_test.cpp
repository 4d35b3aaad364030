// A durable consumer that its server made skip an event re-reads the newest
// events of its stream once its leader moves, and applies what it missed
// (event_consumer.hpp, "Re-read after the consumer moved").
//
// The skip is what nats-server 2.9.10 does when a diverged replica leads a
// durable consumer (tests/chaos/README.md, "Do the replicas agree?"): it
// counts an event as delivered that it never delivered. That divergence
// cannot be produced on demand, so payments runs with the test fault
// skip-events-containing, which acknowledges the marked order's events
// without applying them; the leader change is real: the consumer's Raft
// group on a 3-node cluster is asked to step down.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "integration/cluster_system.hpp"
#include "logistics/sqlite/database.hpp"
#include "support/harness/eventually.hpp"

namespace logistics::testing {
namespace {

using namespace std::chrono_literals;

// payments' view of an order: its version, or "" when payments does not know it.
std::string ViewedVersion(const ClusterSystem& system, const std::string& order_id) {
  auto db = sqlite::Database::Open(system.dir() / "payments.db", {sqlite::OpenMode::kReadOnly});
  REQUIRE(db);
  auto select = db->Prepare("SELECT version FROM order_view WHERE order_id = ?");
  REQUIRE(select);
  (*select)->Bind(1, order_id);
  auto row = (*select)->Step();
  REQUIRE(row);
  return *row ? (*select)->ColumnText(0) : std::string();
}

SCENARIO("a consumer whose server skipped an event applies it after the consumer's leader moves",
         "[cluster][consumer][reread]") {
  GIVEN("three nodes, and payments acknowledging one order's events without applying them") {
    ClusterSystem system;
    const std::string marker = "REREAD-SKIPPED-1";
    system.StartService("orders");
    system.StartService("payments", {{"LOGISTICS_FAULT", "skip-events-containing:" + marker}});
    system.RequireStreamHealthy("ORDERS");

    const auto created = system.client().Request(
        "orders.cmd.create",
        nlohmann::json{{"tracking_number", marker},
                       {"customer_name", "Ana"},
                       {"customer_email", "ana@example.com"},
                       {"origin", "Madrid"},
                       {"destination", "Lisbon"}}
            .dump(),
        {{"Nats-Msg-Id", "reread-create-1"}}, 10s);
    INFO(created.body);
    REQUIRE(created.Status() == 200);
    const std::string order_id = created.Json().value("order_id", "");
    REQUIRE(!order_id.empty());

    // A second order, unmarked: the consumer is working, only the marked one is skipped.
    const auto other = system.client().Request(
        "orders.cmd.create",
        nlohmann::json{{"tracking_number", "REREAD-APPLIED-1"},
                       {"customer_name", "Bea"},
                       {"customer_email", "bea@example.com"},
                       {"origin", "Porto"},
                       {"destination", "Faro"}}
            .dump(),
        {{"Nats-Msg-Id", "reread-create-2"}}, 10s);
    REQUIRE(other.Status() == 200);
    const std::string other_id = other.Json().value("order_id", "");
    const ClusterSystem::Durable durable{"ORDERS", "payments-orders", "payments"};
    std::string detail;
    REQUIRE(Eventually([&] { return ViewedVersion(system, other_id) == "1"; }, 20s, 100ms));
    REQUIRE(Eventually([&] { return system.ServerConsumerCaughtUp(durable, &detail); }, 20s, 100ms));
    REQUIRE(system.LogLines("payments", "fault injection (LOGISTICS_FAULT): event acknowledged "
                                        "without being applied")
                .size() == 1);
    // Caught up as far as the server knows, and still missing the order: the skip.
    REQUIRE(ViewedVersion(system, order_id).empty());
    const auto before = system.Status("payments")["consumers"]["payments-orders"];
    INFO("before: " << before.dump());
    REQUIRE(before.value("rereads", -1) == 0);
    const std::string old_leader = before.value("leader", "");
    REQUIRE(!old_leader.empty());

    WHEN("the server leading payments' durable consumer steps down") {
      const auto stepped = system.client().Request(
          "$JS.API.CONSUMER.LEADER.STEPDOWN.ORDERS.payments-orders", "", {}, 10s);
      INFO(stepped.body);
      REQUIRE(stepped.Json().value("success", false));

      THEN("payments re-reads the newest ORDERS events and applies the order it had skipped") {
        const bool applied =
            Eventually([&] { return ViewedVersion(system, order_id) == "1"; }, 30s, 200ms);
        const auto after = system.Status("payments")["consumers"]["payments-orders"];
        INFO("after: " << after.dump());
        CHECK(applied);
        CHECK(after.value("rereads", 0) >= 1);
        CHECK(after.value("reread_applied", 0) >= 1);
        CHECK_FALSE(after.value("leader", "").empty());
        // Said once the re-read reached the end of the stream.
        std::vector<nlohmann::json> recovered_lines;
        CHECK(Eventually(
            [&] {
              recovered_lines = system.LogLines(
                  "payments",
                  "consumer re-read applied events its inbox did not hold (its server skipped "
                  "them, or had not delivered them yet)");
              return !recovered_lines.empty();
            },
            10s, 100ms));
        const std::string log = system.service("payments").Log();
        INFO(log.substr(log.size() > 6000 ? log.size() - 6000 : 0));
        REQUIRE(recovered_lines.size() == 1);
        CHECK(recovered_lines[0].value("applied", 0) == 1);
        // Nothing applied twice: the other order stays at its one version.
        CHECK(ViewedVersion(system, other_id) == "1");
        CHECK(Eventually([&] { return system.ServerConsumerCaughtUp(durable, &detail); }, 20s,
                         100ms));
      }
    }
  }
}

}  // namespace
}  // namespace logistics::testing
