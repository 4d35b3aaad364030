// An event larger than the NATS server accepts (issue 17): the command that
// would emit it is refused before it commits, so the outbox never holds an
// event the relay could not publish, and later events are not held up.
// Against a real nats-server whose max_payload is 4 KiB and the real orders
// binary.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "integration/orders_system.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using logistics::testing::TempDir;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxPayload = 4096;

// A nats-server configuration with nothing but a small max_payload (it has no
// command-line flag).
std::string SmallPayloadConfig(const TempDir& dir) {
  const auto path = dir.path() / "small-payload.conf";
  std::ofstream(path) << "max_payload: " << kMaxPayload << "\n";
  return path.string();
}

// `count` characters of four UTF-8 bytes each: the longest text a field of
// `count` characters can be.
std::string Parcels(std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) text += "\xf0\x9f\x93\xa6";  // U+1F4E6
  return text;
}

std::string OutboxRows(OrdersSystem& system) {
  return system.QueryDatabase("orders.db", "SELECT count(*) FROM outbox");
}

}  // namespace

SCENARIO("a command whose event would exceed the server's max payload is refused before it "
         "commits",
         "[orders][integration][outbox]") {
  TempDir config_dir("event-size");
  OrdersSystem system({"-c", SmallPayloadConfig(config_dir)});
  system.StartOrders();

  GIVEN("an order created and published under the limit") {
    REQUIRE(system.Create("SIZE-1").Status() == 200);
    REQUIRE(system.WaitForEvents(1));
    REQUIRE(OutboxRows(system) == "1");

    WHEN("a create fits in a message but its event would not (the envelope adds its ids, "
         "times and headers)") {
      // Every field at its longest, the names in four-byte characters.
      const json body{{"tracking_number", std::string(100, 'T')},
                      {"customer_name", Parcels(255)},
                      {"customer_email", std::string(60, 'a') + "@" + std::string(180, 'd') +
                                             ".example"},
                      {"origin", Parcels(255)},
                      {"destination", Parcels(254) + "X"}};
      const std::string request = body.dump();
      REQUIRE(request.size() < kMaxPayload);
      const auto reply =
          system.client().Request("orders.cmd.create", request, {{"Nats-Msg-Id", "create-big"}});

      THEN("it is answered 400 EVENT_TOO_LARGE and nothing of it is stored or published") {
        REQUIRE(reply.Status() == 400);
        CHECK(reply.Json()["error"]["code"] == "EVENT_TOO_LARGE");
        CHECK(OutboxRows(system) == "1");
        CHECK(system.QueryDatabase("orders.db", "SELECT count(*) FROM orders") == "1");
        CHECK(system.client().StreamMessageCount("ORDERS") == 1);
        CHECK(system.orders().Log().find("an event would be too large") != std::string::npos);

        AND_WHEN("a normal create follows") {
          REQUIRE(system.Create("SIZE-2").Status() == 200);
          THEN("its event is published, nothing waits in the outbox") {
            REQUIRE(system.WaitForEvents(2));
            CHECK(Eventually([&] {
              return system.QueryDatabase(
                         "orders.db",
                         "SELECT count(*) FROM outbox WHERE published_at IS NULL") == "0";
            }));
            CHECK(system.Events().back().Json()["data"]["tracking_number"] == "SIZE-2");
          }
        }
      }
    }
  }
}
