// Dead letters operated with logistics-admin against the real services: made
// by a fault switch (LOGISTICS_FAULT=fail-events-containing:<text>, the
// handler fails on every delivery), requeued once the switch is off (the
// effect happens exactly once, a second requeue changes nothing), discarded
// (the log says who and why), listed and shown as tables and as JSON, and
// the exit codes of what goes wrong.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "integration/orders_system.hpp"
#include "support/harness/child_process.hpp"

using logistics::testing::ChildProcess;
using logistics::testing::Eventually;
using logistics::testing::ExitStatus;
using logistics::testing::OrdersSystem;
using logistics::testing::StreamMessage;
using nlohmann::json;

namespace {

// A dead letter made fast: two deliveries, 50-100 ms apart.
std::map<std::string, std::string> FailingOn(const std::string& text) {
  return {{"LOGISTICS_FAULT", "fail-events-containing:" + text},
          {"MAX_DELIVERIES", "2"},
          {"RETRY_INITIAL_MS", "50"},
          {"RETRY_MAX_MS", "100"}};
}

struct AdminRun {
  ExitStatus status;
  std::string output;  // stdout and stderr together

  json Json() const {
    const json parsed = json::parse(output, nullptr, false);
    INFO(output);
    REQUIRE_FALSE(parsed.is_discarded());
    return parsed;
  }
};

// Runs logistics-admin against the system's NATS server to its end.
AdminRun Admin(OrdersSystem& system, std::vector<std::string> args) {
  if (std::find(args.begin(), args.end(), "--nats-url") == args.end()) {
    args.insert(args.begin(), {"--nats-url", system.nats().url()});
  }
  ChildProcess tool(LOGISTICS_ADMIN_BIN, args, {{"USER", "test-operator"}}, system.dir(),
                    "logistics-admin");
  tool.Start();
  const auto status = tool.WaitForExit(std::chrono::seconds(60));
  REQUIRE(status);
  AdminRun run{*status, tool.Log()};
  UNSCOPED_INFO("logistics-admin " << args.back() << ": " << status->ToString() << "\n"
                                   << run.output);
  return run;
}

int ExitCode(const AdminRun& run) { return run.status.exited ? run.status.code : -1; }

json OrderOf(OrdersSystem& system, const std::string& order_id) {
  auto reply = system.Query("get", {{"order_id", order_id}});
  REQUIRE(reply.Status() == 200);
  return reply.Json();
}

std::int64_t StatusFigure(OrdersSystem& system, const std::string& service,
                          const std::string& consumer, const std::string& figure) {
  return system.Status(service)["consumers"][consumer].value(figure, std::int64_t{-1});
}

// The stream's events whose subject ends with `.<name>` for one aggregate.
std::size_t EventsNamed(const std::vector<StreamMessage>& events, const std::string& prefix,
                        const std::string& name) {
  std::size_t count = 0;
  for (const auto& message : events) {
    if (message.subject == prefix + "." + name) ++count;
  }
  return count;
}

// The one log line that holds every piece of `texts`, or "".
std::string LogLineWith(const std::string& log, const std::vector<std::string>& texts) {
  std::size_t begin = 0;
  while (begin < log.size()) {
    const std::size_t end = std::min(log.find('\n', begin), log.size());
    const std::string line = log.substr(begin, end - begin);
    bool all = true;
    for (const auto& text : texts) all = all && line.find(text) != std::string::npos;
    if (all) return line;
    begin = end + 1;
  }
  return "";
}

}  // namespace

SCENARIO("a payment event dead-lettered in orders is requeued after the fix and the order is paid "
         "exactly once",
         "[integration][dead-letter][admin]") {
  OrdersSystem system;
  system.StartPayments();
  GIVEN("orders failing on every event of a 777.77 payment, which is confirmed") {
    system.StartOrders(FailingOn("777.77"));
    const std::string order_id = system.Create("DL-1").Json()["order_id"];
    auto registered = system.Payments("register", {{"order_id", order_id}, {"amount", "777.77"}});
    REQUIRE(registered.Status() == 200);
    const std::string payment_id = registered.Json()["payment_id"];
    REQUIRE(system.Payments("confirm", {{"payment_id", payment_id}}).Status() == 200);
    // payment.registered and payment.confirmed both name the amount.
    REQUIRE(Eventually([&] { return StatusFigure(system, "orders", "orders-payments", "dead_letters") == 2; },
                       std::chrono::seconds(20)));
    const auto payment_events = system.PaymentEvents();
    REQUIRE(payment_events.size() == 2);
    const std::string registered_id = payment_events[0].Json()["id"];
    const std::string confirmed_id = payment_events[1].Json()["id"];
    CHECK(OrderOf(system, order_id)["status"] == "CREATED");

    THEN("list shows both, as a table and as JSON, a page at a time") {
      const AdminRun table = Admin(system, {"dead-letters", "list", "--service", "orders"});
      CHECK(ExitCode(table) == 0);
      CHECK_THAT(table.output, Catch::StartsWith("CONSUMER         EVENT ID  "));
      const std::string row = LogLineWith(table.output, {confirmed_id});
      CHECK_THAT(row, Catch::StartsWith("orders-payments  " + confirmed_id));
      CHECK_THAT(row, Catch::Contains("logistics.payment.confirmed.v1   2           0"));
      CHECK_THAT(row, Catch::EndsWith("fault injection (LOGISTICS_FAULT)"));
      CHECK_THAT(table.output, Catch::Contains(registered_id));

      const json listed = Admin(system, {"--json", "dead-letters", "list", "--service", "orders",
                                         "--consumer", "orders-payments"})
                              .Json();
      REQUIRE(listed["dead_letters"].size() == 2);
      CHECK(listed["dead_letters"][0]["event_id"] == registered_id);
      CHECK(listed["dead_letters"][1]["deliveries"] == 2);
      CHECK(listed["next_cursor"].is_null());

      const json first = Admin(system, {"dead-letters", "list", "--service", "orders", "--limit", "1", "--json"}).Json();
      REQUIRE(first["dead_letters"].size() == 1);
      REQUIRE(first["next_cursor"].is_string());
      const json second = Admin(system, {"dead-letters", "list", "--service", "orders", "--limit", "1",
                                         "--cursor", first["next_cursor"], "--json"})
                              .Json();
      REQUIRE(second["dead_letters"].size() == 1);
      CHECK(second["dead_letters"][0]["event_id"] == confirmed_id);
      CHECK(second["next_cursor"].is_null());
    }

    THEN("show gives one with its stored event") {
      const json shown = Admin(system, {"--json", "dead-letters", "show", "--service", "orders",
                                        "--event-id", confirmed_id})
                             .Json();
      CHECK(shown["consumer"] == "orders-payments");
      CHECK(shown["error"] == "fault injection (LOGISTICS_FAULT)");
      CHECK(shown["event"]["type"] == "logistics.payment.confirmed.v1");
      CHECK(shown["event"]["data"]["order_id"] == order_id);
      const AdminRun text =
          Admin(system, {"dead-letters", "show", "--service", "orders", "--event-id", confirmed_id});
      CHECK(ExitCode(text) == 0);
      CHECK_THAT(text.output, Catch::Contains("consumer:         orders-payments\n"));
      CHECK_THAT(text.output, Catch::Contains("\nevent:\n  {\n"));
      CHECK_THAT(text.output, Catch::Contains("\"order_id\": \"" + order_id + "\""));
    }

    WHEN("it is requeued while the switch is still on") {
      const AdminRun failed = Admin(system, {"dead-letters", "requeue", "--service", "orders",
                                             "--event-id", confirmed_id, "--reason", "too early"});
      THEN("it failed again, stays a dead letter with one requeue, and nothing changed") {
        CHECK(ExitCode(failed) == 1);
        CHECK_THAT(failed.output,
                   Catch::Contains("REQUEUE_FAILED: event " + confirmed_id +
                                   " failed again in orders-payments and stays a dead letter: "
                                   "fault injection (LOGISTICS_FAULT)"));
        const json shown = Admin(system, {"--json", "dead-letters", "show", "--service", "orders",
                                          "--event-id", confirmed_id})
                               .Json();
        CHECK(shown["requeues"] == 1);
        CHECK(shown["last_requeued_at"].is_string());
        CHECK(OrderOf(system, order_id)["status"] == "CREATED");
        CHECK_FALSE(LogLineWith(system.orders().Log(),
                                {"dead letter requeued and failed again", confirmed_id, "too early",
                                 "test-operator"})
                        .empty());
      }
    }

    WHEN("orders restarts without the switch and the confirmation is requeued") {
      REQUIRE(system.orders().Terminate().Success());
      system.StartOrders({{"MAX_DELIVERIES", "2"}});
      const AdminRun requeued =
          Admin(system, {"dead-letters", "requeue", "--service", "orders", "--event-id",
                         confirmed_id, "--by", "ana", "--reason", "fault switch off"});
      THEN("the order is paid once, and a second requeue says so and changes nothing") {
        CHECK(ExitCode(requeued) == 0);
        CHECK_THAT(requeued.output,
                   Catch::StartsWith("dead letter " + confirmed_id + " of orders-payments: requeued at "));
        CHECK_THAT(requeued.output, Catch::Contains(", applied by ana (reason: fault switch off)"));
        const json paid = OrderOf(system, order_id);
        CHECK(paid["status"] == "PAID");
        CHECK(paid["version"] == 2);
        CHECK_FALSE(LogLineWith(system.orders().Log(),
                                {"\"dead letter requeued\"", confirmed_id, "\"outcome\":\"applied\"",
                                 "\"by\":\"ana\"", "fault switch off"})
                        .empty());
        const std::string prefix = "orders.events." + order_id;
        REQUIRE(Eventually([&] { return EventsNamed(system.Events(), prefix, "paid") == 1; }));

        const AdminRun again = Admin(system, {"dead-letters", "requeue", "--service", "orders",
                                              "--event-id", confirmed_id});
        CHECK(ExitCode(again) == 1);
        CHECK_THAT(again.output,
                   Catch::Contains("DEAD_LETTER_NOT_FOUND: event " + confirmed_id +
                                   " is no longer a dead letter of orders-payments: requeued and "
                                   "applied at "));
        CHECK_THAT(again.output, Catch::Contains(" by ana (reason: fault switch off)"));
        CHECK(OrderOf(system, order_id)["version"] == 2);
        REQUIRE(Eventually([&] { return system.Status("orders")["outbox"]["unpublished"] == 0; }));
        CHECK(EventsNamed(system.Events(), prefix, "paid") == 1);
        CHECK(system.QueryDatabase("orders.db", "SELECT count(*) FROM dead_letters") == "1");
        CHECK(system.QueryDatabase("orders.db",
                                   "SELECT dead_lettered FROM inbox WHERE event_id = '" +
                                       confirmed_id + "'") == "0");
      }
      AND_WHEN("the other one is discarded") {
        const AdminRun discarded =
            Admin(system, {"dead-letters", "discard", "--service", "orders", "--event-id",
                           registered_id, "--reason", "orders ignores registrations", "--by", "bob"});
        THEN("it is gone, and the service's log and database say who, when and why") {
          CHECK(ExitCode(discarded) == 0);
          CHECK_THAT(discarded.output,
                     Catch::Contains("dead letter " + registered_id + " of orders-payments: discarded at "));
          const std::string line =
              LogLineWith(system.orders().Log(), {"\"dead letter discarded\"", registered_id});
          CHECK_THAT(line, Catch::Contains("\"level\":\"warn\""));
          CHECK_THAT(line, Catch::Contains("\"by\":\"bob\""));
          CHECK_THAT(line, Catch::Contains("\"reason\":\"orders ignores registrations\""));
          CHECK_THAT(line, Catch::Contains("\"time\":\""));
          CHECK(system.QueryDatabase("orders.db",
                                     "SELECT outcome || '|' || resolved_by || '|' || reason FROM "
                                     "dead_letter_resolutions WHERE event_id = '" + registered_id + "'") ==
                "discarded|bob|orders ignores registrations");
          CHECK(Admin(system, {"dead-letters", "list", "--service", "orders"}).output ==
                "no dead letters\n");
          const AdminRun gone = Admin(system, {"dead-letters", "show", "--service", "orders",
                                               "--event-id", registered_id});
          CHECK(ExitCode(gone) == 1);
          CHECK_THAT(gone.output, Catch::Contains("is no longer a dead letter of orders-payments: "
                                                  "discarded at "));
        }
      }
    }
  }
}

SCENARIO("a cancellation dead-lettered in payments is requeued after the fix and the payment is "
         "refunded exactly once",
         "[integration][dead-letter][admin]") {
  OrdersSystem system;
  system.StartOrders();
  GIVEN("payments failing on the cancellation of a paid order") {
    system.StartPayments(FailingOn("POISONED-REASON"));
    const std::string order_id = system.Create("DL-2").Json()["order_id"];
    auto registered = system.Payments("register", {{"order_id", order_id}, {"amount", "10.00"}});
    REQUIRE(registered.Status() == 200);
    const std::string payment_id = registered.Json()["payment_id"];
    REQUIRE(system.Payments("confirm", {{"payment_id", payment_id}}).Status() == 200);
    REQUIRE(Eventually([&] { return OrderOf(system, order_id)["status"] == "PAID"; }));
    REQUIRE(system.Command("cancel", {{"order_id", order_id}, {"reason", "POISONED-REASON"}}).Status() == 200);
    REQUIRE(Eventually([&] { return StatusFigure(system, "payments", "payments-orders", "dead_letters") == 1; },
                       std::chrono::seconds(20)));
    CHECK(system.Payments("get", {{"payment_id", payment_id}}).Json()["status"] == "CONFIRMED");
    const json listed = Admin(system, {"--json", "dead-letters", "list", "--service", "payments"}).Json();
    REQUIRE(listed["dead_letters"].size() == 1);
    CHECK(listed["dead_letters"][0]["type"] == "logistics.order.cancelled.v1");
    const std::string cancelled_id = listed["dead_letters"][0]["event_id"];

    WHEN("payments restarts without the switch and the cancellation is requeued") {
      REQUIRE(system.payments().Terminate().Success());
      system.StartPayments();
      const AdminRun requeued =
          Admin(system, {"--json", "dead-letters", "requeue", "--service", "payments", "--consumer",
                         "payments-orders", "--event-id", cancelled_id, "--reason", "fixed"});
      THEN("the compensation happens once") {
        CHECK(ExitCode(requeued) == 0);
        const json reply = requeued.Json();
        CHECK(reply["outcome"] == "applied");
        CHECK(reply["by"] == "test-operator");  // $USER
        const json payment = system.Payments("get", {{"payment_id", payment_id}}).Json();
        CHECK(payment["status"] == "REFUNDED");
        CHECK(payment["refund_reason"] == "order cancelled");
        const std::string prefix = "payments.events." + payment_id;
        REQUIRE(Eventually([&] { return EventsNamed(system.PaymentEvents(), prefix, "refunded") == 1; }));
        CHECK(ExitCode(Admin(system, {"dead-letters", "requeue", "--service", "payments",
                                      "--event-id", cancelled_id})) == 1);
        REQUIRE(Eventually([&] { return system.Status("payments")["outbox"]["unpublished"] == 0; }));
        CHECK(EventsNamed(system.PaymentEvents(), prefix, "refunded") == 1);
        CHECK(system.Payments("get", {{"payment_id", payment_id}}).Json()["version"] == payment["version"]);
      }
    }
  }
}

TEST_CASE("logistics-admin says what went wrong with its exit code: 2 for usage, 1 otherwise",
          "[integration][admin]") {
  OrdersSystem system;
  system.StartOrders();
  SECTION("usage errors") {
    CHECK(ExitCode(Admin(system, {"dead-letters", "list"})) == 2);  // no --service
    CHECK(ExitCode(Admin(system, {"dead-letters", "show", "--service", "orders"})) == 2);
    CHECK(ExitCode(Admin(system, {"dead-letters", "discard", "--service", "orders", "--event-id", "e1"})) == 2);
    CHECK(ExitCode(Admin(system, {"dead-letters", "list", "--service", "orders.*"})) == 2);
    CHECK(ExitCode(Admin(system, {"dead-letters", "list", "--service", "orders", "--limit", "0"})) == 2);
    CHECK(ExitCode(Admin(system, {"dead-letters", "purge", "--service", "orders"})) == 2);
    // Refused by the service as malformed (a blank event id): a usage error too.
    const AdminRun blank = Admin(system, {"dead-letters", "show", "--service", "orders", "--event-id", " "});
    CHECK(ExitCode(blank) == 2);
    CHECK_THAT(blank.output, Catch::Contains("VALIDATION_FAILED"));
  }
  SECTION("runtime failures") {
    const AdminRun nobody = Admin(system, {"dead-letters", "list", "--service", "shipping"});
    CHECK(ExitCode(nobody) == 1);
    CHECK_THAT(nobody.output, Catch::Contains("no service answers on shipping.admin.dead-letters.list"));
    const AdminRun unknown = Admin(system, {"dead-letters", "show", "--service", "orders",
                                            "--event-id", "e1"});
    CHECK(ExitCode(unknown) == 1);
    CHECK_THAT(unknown.output,
               Catch::Contains("DEAD_LETTER_NOT_FOUND: event e1 is not a dead letter of orders"));
    const AdminRun consumer = Admin(system, {"dead-letters", "list", "--service", "orders",
                                             "--consumer", "payments-orders"});
    CHECK(ExitCode(consumer) == 1);
    CHECK_THAT(consumer.output,
               Catch::Contains("CONSUMER_NOT_FOUND: orders has no consumer payments-orders; its "
                               "consumers: orders-payments"));
    const AdminRun unreachable =
        Admin(system, {"--nats-url", "nats://127.0.0.1:1", "dead-letters", "list", "--service", "orders"});
    CHECK(ExitCode(unreachable) == 1);
    CHECK_THAT(unreachable.output, Catch::Contains("cannot connect to NATS"));
  }
  SECTION("an empty list") {
    const AdminRun empty = Admin(system, {"dead-letters", "list", "--service", "orders"});
    CHECK(ExitCode(empty) == 0);
    CHECK(empty.output == "no dead letters\n");
  }
}
