// Replaying a recorded file into a fresh system with nothing but the tool:
// import --create-streams creates the streams as the services do, and a
// second import of the same file stores nothing new, even after the streams'
// duplicate window has passed (the stream is asked, not the window).
#include <catch2/catch.hpp>

#include <fstream>

#include "integration/orders_system.hpp"
#include "support/harness/child_process.hpp"

using logistics::testing::ChildProcess;
using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

const std::filesystem::path kRecorded =
    std::filesystem::path(LOGISTICS_SOURCE_DIR) / "tests/data/checkout_events.jsonl";
constexpr std::uint64_t kOrdersEvents = 8;
constexpr std::uint64_t kPaymentsEvents = 5;

struct Run {
  int code = -1;
  std::string output;
};

Run Events(OrdersSystem& system, std::vector<std::string> args) {
  args.insert(args.begin(), {"--nats-url", system.nats().url()});
  ChildProcess tool(LOGISTICS_EVENTS_BIN, std::move(args), {}, system.dir());
  tool.Start();
  const auto exit = tool.WaitForExit(std::chrono::seconds(60));
  REQUIRE(exit);
  return {exit->exited ? exit->code : -1, tool.Log()};
}

std::uint64_t StoredEvents(OrdersSystem& system) {
  return system.client().StreamMessageCount("ORDERS") + system.client().StreamMessageCount("PAYMENTS");
}

// Waits until the ORDERS stream's duplicate window has passed for what was
// stored before now: a probe published with one Nats-Msg-Id is a duplicate
// until then, and is stored once it has passed.
void WaitForTheDuplicateWindowToPass(OrdersSystem& system) {
  REQUIRE(system.client().PublishToStream("orders.events.window-probe.probe", "{}", {{"Nats-Msg-Id", "probe"}}));
  REQUIRE(Eventually(
      [&] {
        return system.client().PublishToStream("orders.events.window-probe.probe", "{}",
                                                {{"Nats-Msg-Id", "probe"}});
      },
      std::chrono::seconds(15), std::chrono::milliseconds(200)));
}

}  // namespace

TEST_CASE("import --create-streams replays a recorded file into a fresh server, with the services' streams",
          "[replay][integration]") {
  OrdersSystem system;  // nats-server only: no stream, no service
  REQUIRE_FALSE(system.client().StreamExists("ORDERS"));

  const Run without = Events(system, {"import", kRecorded.string()});
  INFO(without.output);
  CHECK(without.code == 1);
  CHECK_THAT(without.output, Catch::Contains("stream ORDERS does not exist"));

  const Run imported = Events(system, {"import", "--create-streams", kRecorded.string()});
  INFO(imported.output);
  REQUIRE(imported.code == 0);
  CHECK_THAT(imported.output, Catch::Contains("stream ORDERS: created"));
  CHECK_THAT(imported.output, Catch::Contains("stream PAYMENTS: created"));
  CHECK_THAT(imported.output, Catch::Contains("published 13, already stored 0, duplicates 0, invalid 0"));
  CHECK(system.client().StreamMessageCount("ORDERS") == kOrdersEvents);
  CHECK(system.client().StreamMessageCount("PAYMENTS") == kPaymentsEvents);

  // provision checks the streams as the services check them at start-up.
  const Run provisioned = Events(system, {"provision"});
  INFO(provisioned.output);
  REQUIRE(provisioned.code == 0);
  CHECK_THAT(provisioned.output, Catch::Contains("stream ORDERS: as configured"));
  CHECK_THAT(provisioned.output, Catch::Contains("stream PAYMENTS: as configured"));

  // And a service started on it takes the stream as it is.
  system.StartOrders();
  CHECK(system.client().StreamMessageCount("ORDERS") == kOrdersEvents);
}

TEST_CASE("a second import of the same file after the duplicate window stores nothing new",
          "[replay][integration]") {
  OrdersSystem system;
  // A duplicate window of one second, so that it passes within the test.
  const Run first =
      Events(system, {"import", "--create-streams", "--duplicate-window", "1", kRecorded.string()});
  INFO(first.output);
  REQUIRE(first.code == 0);
  CHECK_THAT(first.output, Catch::Contains("published 13, already stored 0"));

  WaitForTheDuplicateWindowToPass(system);
  const std::uint64_t before = StoredEvents(system);

  const Run second = Events(system, {"import", kRecorded.string()});
  INFO(second.output);
  REQUIRE(second.code == 0);
  CHECK_THAT(second.output, Catch::Contains("published 0, already stored 13, duplicates 0, invalid 0"));
  CHECK(StoredEvents(system) == before);
}

TEST_CASE("an event is found as stored even when a later event on its subject came after it",
          "[replay][integration]") {
  OrdersSystem system;
  std::ifstream in(kRecorded);
  std::string line;
  REQUIRE(std::getline(in, line));  // the first order's created event
  const auto one = system.dir() / "one.jsonl";
  std::ofstream(one) << line << "\n";
  REQUIRE(Events(system, {"import", "--create-streams", one.string()}).code == 0);

  // Another event on the same subject, stored after it: the subject's last
  // message is no longer the file's event.
  json record = json::parse(line);
  json other = record["event"];
  other["id"] = "01a211b1-ffff-7000-8000-000000000001";
  REQUIRE(system.client().PublishToStream(record["subject"], other.dump(), {{"Nats-Msg-Id", other["id"]}}));
  const std::uint64_t before = system.client().StreamMessageCount("ORDERS");

  const Run again = Events(system, {"import", one.string(), "--quiet"});
  INFO(again.output);
  REQUIRE(again.code == 0);
  CHECK_THAT(again.output, Catch::Contains("published 0, already stored 1, duplicates 0"));
  CHECK(system.client().StreamMessageCount("ORDERS") == before);
}

TEST_CASE("an event that appears twice in one file is published once", "[replay][integration]") {
  OrdersSystem system;
  std::ifstream in(kRecorded);
  std::string line;
  REQUIRE(std::getline(in, line));
  const auto twice = system.dir() / "twice.jsonl";
  std::ofstream(twice) << line << "\n" << line << "\n";
  const Run imported = Events(system, {"import", "--create-streams", twice.string()});
  INFO(imported.output);
  REQUIRE(imported.code == 0);
  CHECK_THAT(imported.output, Catch::Contains("published 1, already stored 1, duplicates 0"));
  CHECK(system.client().StreamMessageCount("ORDERS") == 1);
}
