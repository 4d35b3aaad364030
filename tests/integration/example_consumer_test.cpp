// The README's example of consuming our events from your own program
// (examples/consume_order_events.cpp) runs against a real system: it prints
// the created event of an order placed while it runs, and acknowledges it.
#include <catch2/catch.hpp>

#include "integration/orders_system.hpp"
#include "support/harness/child_process.hpp"

using logistics::testing::ChildProcess;
using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;

TEST_CASE("the example consumer prints each order event's type and order id and acknowledges it",
          "[integration][example]") {
  OrdersSystem system;
  system.StartOrders();
  // orders creates its stream ORDERS just after it is ready.
  REQUIRE(Eventually([&] { return system.client().StreamExists("ORDERS"); }));
  ChildProcess example(LOGISTICS_EXAMPLE_CONSUMER_BIN,
                       {"--nats-url", system.nats().url(), "--durable", "example", "--max-events", "2"}, {},
                       system.dir());
  example.Start();

  const std::string first = system.Create("EXAMPLE-1").Json()["order_id"];
  const bool printed = Eventually(
      [&] { return example.Log().find("logistics.order.created.v1 " + first) != std::string::npos; },
      std::chrono::seconds(10));
  INFO(example.Log());
  REQUIRE(printed);
  const std::string second = system.Create("EXAMPLE-2").Json()["order_id"];
  const auto exit = example.WaitForExit(std::chrono::seconds(10));
  INFO(example.Log());
  REQUIRE(exit);
  CHECK(exit->exited);
  CHECK(exit->code == 0);
  CHECK_THAT(example.Log(), Catch::Contains("logistics.order.created.v1 " + second));

  // Both acknowledged: the durable consumer has nothing pending or unacknowledged.
  CHECK(Eventually([&] {
    jsConsumerInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    if (js_GetConsumerInfo(&info, system.client().jetstream(), "ORDERS", "example", nullptr, &error) != NATS_OK) {
      return false;
    }
    const bool settled = info->NumPending == 0 && info->NumAckPending == 0 && info->Delivered.Consumer == 2;
    jsConsumerInfo_Destroy(info);
    return settled;
  }));
}
