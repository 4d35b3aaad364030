// The notifications service killed between sending a mail and committing its
// record (README, Notifications: the one window of at-least-once), with the
// real orders service, a real nats-server and the .eml file sink.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "integration/orders_system.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

std::vector<std::filesystem::path> MailFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".eml") files.push_back(entry.path());
  }
  return files;
}

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

SCENARIO("a mail written just before notifications is killed is not written twice",
         "[notifications][integration][crash]") {
  GIVEN("notifications dies right after writing an order's mail, before recording it") {
    OrdersSystem system;
    system.StartOrders();
    system.StartNotifications({}, {{"LOGISTICS_FAULT", "exit-after-mail"}});
    const json body{{"tracking_number", "CRASH-MAIL-1"}, {"customer_name", "Ana"},
                    {"customer_email", "ana@example.com"}, {"origin", "Madrid"},
                    {"destination", "Lisbon"}};
    REQUIRE(system.Command("create", body).Status() == 200);
    const auto died = system.notifications().WaitForExit(std::chrono::seconds(30));
    REQUIRE(died);
    CHECK_FALSE(died->exited);
    CHECK(died->signal == SIGKILL);
    CHECK_THAT(system.notifications().Log(), Catch::Contains("exit-after-mail"));
    REQUIRE(system.MailFileCount() == 1);  // the mail went out ...
    CHECK(system.QueryDatabase("notifications.db", "SELECT count(*) FROM sent_notifications") ==
          "0");  // ... and its record did not commit: the event will come again
    const auto events = system.Events();
    REQUIRE(events.size() == 1);
    const std::string event_id = events[0].Json()["id"];

    WHEN("it is started again without the fault and the event is redelivered") {
      system.StartNotifications();
      // JetStream redelivers the unacknowledged event after its ack wait (30 s).
      REQUIRE(Eventually(
          [&] {
            return system.QueryDatabase("notifications.db",
                                        "SELECT count(*) FROM sent_notifications WHERE event_id = '" +
                                            event_id + "'") == "1";
          },
          std::chrono::seconds(90), std::chrono::milliseconds(200)));

      THEN("the mail was sent again, replacing its file: one .eml file and one record") {
        CHECK_THAT(system.notifications().Log(), Catch::Contains("e-mail sent"));  // really re-sent
        const auto files = MailFiles(system.dir() / "mail");
        REQUIRE(files.size() == 1);
        CHECK(files[0].filename() == event_id + ".eml");
        CHECK_THAT(Slurp(files[0]), Catch::Contains("Message-ID: <" + event_id + "@"));
        CHECK(system.QueryDatabase("notifications.db", "SELECT count(*) FROM sent_notifications") ==
              "1");
      }
    }
  }
}
