// logistics-events: export of the ORDERS stream to JSON Lines and import back,
// against a real nats-server and the real orders service.
#include <catch2/catch.hpp>

#include <fstream>

#include "integration/orders_system.hpp"
#include "logistics/common/time.hpp"
#include "logistics/messaging/stream_setup.hpp"
#include "logistics/nats/jet_stream.hpp"
#include "support/harness/child_process.hpp"

using logistics::testing::ChildProcess;
using logistics::testing::Eventually;
using logistics::testing::ExitStatus;
using logistics::testing::NatsClient;
using logistics::testing::NatsServer;
using logistics::testing::OrdersSystem;
using logistics::testing::TempDir;
using nlohmann::json;

namespace {

struct ToolRun {
  ExitStatus status;
  std::string output;  // stdout and stderr together
};

// Runs logistics-events to the end (it must finish within 60 s).
ToolRun RunTool(const std::vector<std::string>& args, const std::filesystem::path& log_dir) {
  ChildProcess tool(LOGISTICS_EVENTS_BIN, args, {}, log_dir, "logistics-events");
  tool.Start();
  const auto status = tool.WaitForExit(std::chrono::seconds(60));
  REQUIRE(status);
  ToolRun run{*status, tool.Log()};
  UNSCOPED_INFO("logistics-events output:\n" << run.output);
  return run;
}

std::vector<json> ReadLines(const std::filesystem::path& path) {
  std::ifstream file(path);
  REQUIRE(file);
  std::vector<json> lines;
  for (std::string line; std::getline(file, line);) {
    if (!line.empty()) lines.push_back(json::parse(line));
  }
  return lines;
}

void WriteLines(const std::filesystem::path& path, const std::vector<json>& lines) {
  std::ofstream file(path);
  for (const json& line : lines) file << line.dump() << '\n';
  REQUIRE(file.good());
}

// Five events on three orders: three created, one assigned, one cancelled.
void MakeOrders(OrdersSystem& system) {
  std::vector<std::string> ids;
  for (const char* tracking : {"EV-1", "EV-2", "EV-3"}) {
    auto created = system.Create(tracking);
    REQUIRE(created.Status() == 200);
    ids.push_back(created.Json()["order_id"]);
  }
  REQUIRE(system.Command("assign", {{"order_id", ids[0]}, {"driver_id", "driver-7"}}).Status() == 200);
  REQUIRE(system.Command("cancel", {{"order_id", ids[1]}, {"reason", "customer asked"}}).Status() == 200);
  REQUIRE(system.WaitForEvents(5));
}

void CreateOrdersStream(NatsClient& client) {
  auto created = logistics::messaging::EnsureStream(
      *logistics::nats::JetStream::Borrow(client.jetstream()), {"ORDERS", {"orders.events.>"}, std::chrono::minutes(10), "imported events"});
  REQUIRE(created);
}

std::vector<std::string> EventIds(const std::vector<logistics::testing::StreamMessage>& messages) {
  std::vector<std::string> ids;
  for (const auto& message : messages) ids.push_back(message.Json()["id"]);
  return ids;
}

}  // namespace

TEST_CASE("export writes every ORDERS message as a record, in sequence order, with its headers and event",
          "[replay][integration]") {
  OrdersSystem system;
  system.StartOrders();
  MakeOrders(system);
  const auto out = system.dir() / "orders.jsonl";

  const auto run = RunTool({"export", "--stream", "ORDERS", "--nats-url", system.nats().url(), "-o", out.string()},
                           system.dir());

  REQUIRE(run.status.Success());
  CHECK_THAT(run.output, Catch::Contains("exported 5 events from ORDERS"));
  const auto stored = system.Events();
  const auto records = ReadLines(out);
  REQUIRE(records.size() == stored.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    CHECK(records[i]["stream"] == "ORDERS");
    CHECK(records[i]["sequence"] == stored[i].sequence);
    CHECK(records[i]["subject"] == stored[i].subject);
    CHECK(records[i]["event"] == stored[i].Json());
    CHECK(records[i]["headers"]["Nats-Msg-Id"] == stored[i].Json()["id"]);
    CHECK(records[i]["headers"]["Content-Type"] == "application/cloudevents+json");
    CHECK(records[i]["headers"]["Correlation-Id"] == stored[i].headers.at("Correlation-Id"));
  }
  CHECK(records.back()["event"]["type"] == "logistics.order.cancelled.v1");
  CHECK_FALSE(std::filesystem::exists(out.string() + ".tmp-" + std::to_string(::getpid())));
}

TEST_CASE("export narrows the stream by subject, by sequence range and by start time",
          "[replay][integration]") {
  OrdersSystem system;
  system.StartOrders();
  MakeOrders(system);
  const std::string url = system.nats().url();
  const auto out = system.dir() / "part.jsonl";

  SECTION("a subject filter keeps only the matching subjects") {
    REQUIRE(RunTool({"export", "--stream", "ORDERS", "--nats-url", url, "--subject", "orders.events.*.created",
                     "-o", out.string()}, system.dir()).status.Success());
    const auto records = ReadLines(out);
    REQUIRE(records.size() == 3);
    for (const auto& record : records) CHECK(record["event"]["type"] == "logistics.order.created.v1");
  }
  SECTION("--from-seq and --to-seq bound the sequences, both included") {
    REQUIRE(RunTool({"export", "--stream", "ORDERS", "--nats-url", url, "--from-seq", "2", "--to-seq", "4",
                     "-o", out.string()}, system.dir()).status.Success());
    const auto records = ReadLines(out);
    REQUIRE(records.size() == 3);
    CHECK(records[0]["sequence"] == 2);
    CHECK(records[2]["sequence"] == 4);
  }
  SECTION("--since starts at the first message stored at or after the time") {
    // The earlier events were stored before now; rounding up to the next
    // millisecond keeps them before the cut, waiting past it puts the next after.
    const auto before_last =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()) +
        std::chrono::milliseconds(1);
    REQUIRE(Eventually([&] { return std::chrono::system_clock::now() > before_last + std::chrono::milliseconds(1); }));
    REQUIRE(system.Create("EV-LATE").Status() == 200);
    REQUIRE(system.WaitForEvents(6));
    REQUIRE(RunTool({"export", "--stream", "ORDERS", "--nats-url", url, "--since",
                     logistics::common::FormatRfc3339(before_last), "-o", out.string()}, system.dir())
                .status.Success());
    const auto records = ReadLines(out);
    REQUIRE(records.size() == 1);
    CHECK(records[0]["event"]["data"]["tracking_number"] == "EV-LATE");

    REQUIRE(RunTool({"export", "--stream", "ORDERS", "--nats-url", url, "--since", "1h", "-o", out.string()},
                    system.dir()).status.Success());
    CHECK(ReadLines(out).size() == 6);
  }
}

TEST_CASE("import into a fresh server stores the same events in the same order, and a second import stores nothing new",
          "[replay][integration]") {
  OrdersSystem system;
  system.StartOrders();
  MakeOrders(system);
  const auto file = system.dir() / "orders.jsonl";
  REQUIRE(RunTool({"export", "--stream", "ORDERS", "--nats-url", system.nats().url(), "-o", file.string()},
                  system.dir()).status.Success());
  TempDir fresh_dir("events-import");
  NatsServer fresh(fresh_dir.path() / "nats");
  fresh.Start();
  NatsClient client(fresh.url());
  CreateOrdersStream(client);

  const auto first = RunTool({"import", file.string(), "--nats-url", fresh.url()}, fresh_dir.path());

  REQUIRE(first.status.Success());
  CHECK_THAT(first.output, Catch::Contains("published 5, already stored 0, duplicates 0, invalid 0"));
  const auto original = system.Events();
  const auto imported = client.ReadStream("ORDERS");
  REQUIRE(imported.size() == original.size());
  CHECK(EventIds(imported) == EventIds(original));
  for (std::size_t i = 0; i < imported.size(); ++i) {
    CHECK(imported[i].subject == original[i].subject);
    CHECK(imported[i].Json() == original[i].Json());
    CHECK(imported[i].headers.at("Nats-Msg-Id") == original[i].headers.at("Nats-Msg-Id"));
  }

  const auto second = RunTool({"import", file.string(), "--nats-url", fresh.url()}, fresh_dir.path());

  REQUIRE(second.status.Success());
  CHECK_THAT(second.output, Catch::Contains("published 0, already stored 5, duplicates 0, invalid 0"));
  CHECK(client.StreamMessageCount("ORDERS") == 5);
  CHECK(client.StreamLastSequence("ORDERS") == 5);
}

TEST_CASE("an import file with an invalid line publishes nothing unless --skip-invalid is given",
          "[replay][integration]") {
  OrdersSystem system;
  system.StartOrders();
  MakeOrders(system);
  const auto exported = system.dir() / "orders.jsonl";
  REQUIRE(RunTool({"export", "--stream", "ORDERS", "--nats-url", system.nats().url(), "-o", exported.string()},
                  system.dir()).status.Success());
  auto lines = ReadLines(exported);
  lines[1]["event"]["data"]["status"] = "PAYED";
  const auto broken = system.dir() / "broken.jsonl";
  WriteLines(broken, lines);
  TempDir fresh_dir("events-import");
  NatsServer fresh(fresh_dir.path() / "nats");
  fresh.Start();
  NatsClient client(fresh.url());
  CreateOrdersStream(client);

  SECTION("without --skip-invalid: exit 1, the line is named, nothing is published") {
    const auto run = RunTool({"import", broken.string(), "--nats-url", fresh.url()}, fresh_dir.path());
    CHECK(run.status.exited);
    CHECK(run.status.code == 1);
    CHECK_THAT(run.output, Catch::Contains("line 2: .data.status: \"PAYED\" is not one of"));
    CHECK_THAT(run.output, Catch::Contains("nothing published"));
    CHECK(client.StreamMessageCount("ORDERS") == 0);
  }
  SECTION("with --skip-invalid: the valid lines are published and the invalid one counted") {
    const auto run =
        RunTool({"import", broken.string(), "--skip-invalid", "--nats-url", fresh.url()}, fresh_dir.path());
    CHECK(run.status.Success());
    CHECK_THAT(run.output, Catch::Contains("published 4, already stored 0, duplicates 0, invalid 1"));
    CHECK(client.StreamMessageCount("ORDERS") == 4);
  }
  SECTION("validate names the same line and exits 1") {
    const auto run = RunTool({"validate", broken.string()}, fresh_dir.path());
    CHECK(run.status.code == 1);
    CHECK_THAT(run.output, Catch::Contains("line 2: .data.status"));
    CHECK_THAT(run.output, Catch::Contains("lines 5, valid 4, invalid 1"));
  }
}

TEST_CASE("the tool says clearly what is wrong: a missing stream, an unreadable file, a bad flag",
          "[replay][integration]") {
  TempDir dir("events-errors");
  NatsServer nats(dir.path() / "nats");
  nats.Start();
  const std::string url = nats.url();
  const auto file = dir / "one.jsonl";
  WriteLines(file, {json::parse(R"({"stream":"ORDERS","sequence":1,"subject":"orders.events.0193a5b2-7c1d-7e4f-8a90-123456789abc.created","headers":{},"event":{"specversion":"1.0","id":"0193a5b2-7c1e-7000-9c1f-0a2b3c4d5e6f","source":"/logistics/orders","type":"logistics.order.created.v1","subject":"0193a5b2-7c1d-7e4f-8a90-123456789abc","time":"2026-11-25T09:30:00.123Z","datacontenttype":"application/json","aggregateversion":1,"correlationid":"c-1","causationid":"k-1","data":{"order_id":"0193a5b2-7c1d-7e4f-8a90-123456789abc","tracking_number":"TRK-1","customer_name":"Ana","customer_email":null,"origin":"Madrid","destination":"Lisbon","status":"CREATED","driver_id":null,"cancellation_reason":null,"created_at":"2026-11-25T09:30:00.123Z","updated_at":"2026-11-25T09:30:00.123Z","version":1}}})")});

  SECTION("exporting a stream that does not exist fails with exit 1") {
    const auto run = RunTool({"export", "--stream", "NOPE", "--nats-url", url, "-o", (dir / "x").string()}, dir.path());
    CHECK(run.status.code == 1);
    CHECK_THAT(run.output, Catch::Contains("stream NOPE does not exist"));
    CHECK_FALSE(std::filesystem::exists(dir / "x"));
  }
  SECTION("importing into a stream that does not exist fails with exit 1") {
    const auto run = RunTool({"import", file.string(), "--nats-url", url}, dir.path());
    CHECK(run.status.code == 1);
    CHECK_THAT(run.output, Catch::Contains("stream ORDERS does not exist"));
  }
  SECTION("importing into a stream that does not capture the subjects fails with exit 1 and publishes nothing") {
    NatsClient client(url);
    REQUIRE(logistics::messaging::EnsureStream(*logistics::nats::JetStream::Borrow(client.jetstream()), {"OTHER", {"other.>"}, std::chrono::minutes(10), "not for orders"}));
    const auto run = RunTool({"import", file.string(), "--stream", "OTHER", "--nats-url", url}, dir.path());
    CHECK(run.status.code == 1);
    CHECK_THAT(run.output, Catch::Contains("line 1: subject orders.events."));
    CHECK_THAT(run.output, Catch::Contains("is not captured by stream OTHER"));
    CHECK(client.StreamMessageCount("OTHER") == 0);
  }
  SECTION("an unreadable file fails with exit 1") {
    const auto run = RunTool({"import", (dir / "missing.jsonl").string(), "--nats-url", url}, dir.path());
    CHECK(run.status.code == 1);
    CHECK_THAT(run.output, Catch::Contains("cannot read " + (dir / "missing.jsonl").string()));
  }
  SECTION("NATS that cannot be reached fails with exit 1") {
    const auto run = RunTool({"export", "--stream", "ORDERS", "--nats-url", "nats://127.0.0.1:1"}, dir.path());
    CHECK(run.status.code == 1);
    CHECK_THAT(run.output, Catch::Contains("cannot connect to NATS"));
  }
  SECTION("usage errors exit 2 and say what is wrong") {
    using Case = std::pair<std::vector<std::string>, std::string>;
    const auto [args, message] = GENERATE(
        Case{{"export", "--stream", "ORDERS", "--no-such-flag"}, "--no-such-flag"},
        Case{{"export", "--stream", "ORDERS", "--since", "yesterday"}, "--since yesterday"},
        Case{{"export", "--stream", "ORDERS", "--from-seq", "2", "--since", "1h"}, "excludes"},
        Case{{"export", "--stream", "ORDERS", "--from-seq", "5", "--to-seq", "2"}, "--to-seq"},
        Case{{"export"}, "--stream is required"},
        Case{{}, "subcommand"});
    const auto run = RunTool(args, dir.path());
    CHECK(run.status.exited);
    CHECK(run.status.code == 2);
    CHECK_THAT(run.output, Catch::Contains(message));
  }
}
