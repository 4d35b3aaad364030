// Replaying recorded events (tests/data/*.jsonl, as `logistics-events export`
// writes them) into a fresh system, and export -> import round trips.
#include <catch2/catch.hpp>

#include <fstream>

#include "integration/orders_system.hpp"
#include "support/harness/child_process.hpp"

using logistics::testing::ChildProcess;
using logistics::testing::Eventually;
using logistics::testing::NatsServer;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

const std::filesystem::path kData = std::filesystem::path(LOGISTICS_SOURCE_DIR) / "tests/data";

// Runs `logistics-events` to completion; returns its exit code and output.
std::pair<int, std::string> Events(const std::filesystem::path& dir, std::vector<std::string> args) {
  ChildProcess tool(LOGISTICS_EVENTS_BIN, std::move(args), {}, dir);
  tool.Start();
  const auto exit = tool.WaitForExit(std::chrono::seconds(60));
  REQUIRE(exit);
  return {exit->exited ? exit->code : -1, tool.Log()};
}

void CreateStream(OrdersSystem& system, const char* name, const char* subjects) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = name;
  const char* list[] = {subjects};
  config.Subjects = list;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::minutes(10)).count();
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  REQUIRE(js_AddStream(&info, system.client().jetstream(), &config, nullptr, &error) == NATS_OK);
  jsStreamInfo_Destroy(info);
}

std::vector<std::string> MailSubjects(const std::filesystem::path& dir) {
  std::vector<std::string> subjects;
  if (!std::filesystem::exists(dir)) return subjects;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("Subject: ", 0) == 0) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        subjects.push_back(line.substr(9));
      }
    }
  }
  std::sort(subjects.begin(), subjects.end());
  return subjects;
}

}  // namespace

TEST_CASE("recorded events fed to a fresh payments and notifications rebuild their state and mail",
          "[replay][integration]") {
  OrdersSystem system;
  CreateStream(system, "ORDERS", "orders.events.>");
  system.StartPayments();
  system.StartNotifications();
  // payments creates PAYMENTS from its relay thread, which may come after "ready".
  REQUIRE(Eventually([&] { return system.client().StreamExists("PAYMENTS"); }));
  const auto [code, output] =
      Events(system.dir(), {"--nats-url", system.nats().url(), "--quiet", "import",
                            (kData / "checkout_events.jsonl").string()});
  INFO(output);
  REQUIRE(code == 0);

  // payments knows both orders as the events left them.
  REQUIRE(Eventually([&] {
    return system.QueryDatabase("payments.db", "SELECT group_concat(status, ',') FROM (SELECT status FROM "
                                         "order_view ORDER BY status)") == "CANCELLED,DELIVERED";
  }, std::chrono::seconds(20)));
  // notifications wrote every customer e-mail the events call for.
  const std::vector<std::string> expected{
      "Your order REPLAY-1 is on its way",    "Your order REPLAY-1 is paid",
      "Your order REPLAY-1 was created",      "Your order REPLAY-1 was delivered",
      "Your order REPLAY-2 is paid",          "Your order REPLAY-2 was cancelled",
      "Your order REPLAY-2 was created",      "Your payment for order REPLAY-2 was refunded"};
  REQUIRE(Eventually([&] { return MailSubjects(system.dir() / "mail").size() == expected.size(); },
                     std::chrono::seconds(20)));
  CHECK(MailSubjects(system.dir() / "mail") == expected);

  // Importing the same file again stores nothing new and sends nothing again.
  const auto [again, again_output] =
      Events(system.dir(), {"--nats-url", system.nats().url(), "import",
                            (kData / "checkout_events.jsonl").string()});
  INFO(again_output);
  CHECK(again == 0);
  CHECK_THAT(again_output, Catch::Contains("published 0"));
  CHECK(MailSubjects(system.dir() / "mail").size() == expected.size());
}

TEST_CASE("an export imported into an empty stream reproduces the same events",
          "[replay][integration]") {
  OrdersSystem source;
  source.StartOrders();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(source.Create("RT-" + std::to_string(i)).Json()["order_id"]);
  REQUIRE(source.Command("assign", {{"order_id", ids[0]}, {"driver_id", "d"}}).Status() == 200);
  REQUIRE(source.Command("cancel", {{"order_id", ids[1]}}).Status() == 200);
  REQUIRE(source.WaitForEvents(7));
  const auto file = source.dir() / "orders.jsonl";
  const auto [exported, export_output] =
      Events(source.dir(), {"--nats-url", source.nats().url(), "--quiet", "export", "--stream",
                            "ORDERS", "-o", file.string()});
  INFO(export_output);
  REQUIRE(exported == 0);

  OrdersSystem target;  // a fresh server with an empty ORDERS stream
  CreateStream(target, "ORDERS", "orders.events.>");
  const auto [imported, import_output] =
      Events(target.dir(), {"--nats-url", target.nats().url(), "import", file.string()});
  INFO(import_output);
  REQUIRE(imported == 0);
  CHECK_THAT(import_output, Catch::Contains("published 7"));

  const auto original = source.Events();
  const auto copy = target.Events();
  REQUIRE(copy.size() == original.size());
  for (std::size_t i = 0; i < copy.size(); ++i) {
    CHECK(copy[i].subject == original[i].subject);
    CHECK(copy[i].headers.at("Nats-Msg-Id") == original[i].headers.at("Nats-Msg-Id"));
    CHECK(copy[i].Json() == original[i].Json());
  }
}
