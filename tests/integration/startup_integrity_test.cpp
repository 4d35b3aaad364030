// The start-up integrity check (startup_integrity_check.hpp) on the real
// orders binary: a damaged database stops the service before it serves.
#include <catch2/catch.hpp>

#include <string>

#include "integration/orders_system.hpp"
#include "support/corrupt_page.hpp"
#include "support/harness/service_process.hpp"

using logistics::testing::CorruptMiddlePage;
using logistics::testing::OrdersSystem;
using logistics::testing::ServiceProcess;

SCENARIO("a service refuses to start on a database with a corrupt page in the middle",
         "[orders][integration][integrity]") {
  GIVEN("orders with a few hundred orders, stopped, and a page of the orders table overwritten") {
    OrdersSystem system;
    system.StartOrders();
    CHECK_THAT(system.orders().Log(),
               Catch::Contains("database integrity check (quick_check) done") &&
                   Catch::Contains("\"ok\":true") && Catch::Contains("\"duration_ms\":"));
    for (int i = 0; i < 300; ++i) {
      REQUIRE(system.Create("MANY-" + std::to_string(i)).Status() == 200);
    }
    REQUIRE(system.orders().Terminate().Success());
    const std::string db = (system.dir() / "orders.db").string();
    const std::int64_t page = CorruptMiddlePage(db, "orders");

    WHEN("it is started again") {
      system.orders().Start();
      const auto ended = system.orders().WaitForExit(std::chrono::seconds(30));

      THEN("it exits 1 before serving, naming the file, the damage and what to do") {
        REQUIRE(ended);
        CHECK(ended->exited);
        CHECK(ended->code == 1);
        const std::string log = system.orders().Log();
        CHECK_THAT(log, Catch::Contains("\"ok\":false"));
        CHECK_THAT(log, Catch::Contains("failed its integrity check"));
        CHECK_THAT(log, Catch::Contains(db));
        CHECK_THAT(log, Catch::Contains("Page " + std::to_string(page) + ":"));
        CHECK_THAT(log, Catch::Contains("restore it from a backup"));
        CHECK_THAT(log, Catch::Contains(".recover"));
        CHECK_THAT(log, !Catch::Contains("service ready"));
      }
    }

    WHEN("it is started with --skip-integrity-check") {
      ServiceProcess orders(LOGISTICS_ORDERS_BIN,
                            {"--nats-url", system.nats().url(), "--db", db, "--skip-integrity-check"},
                            {}, system.dir());
      orders.Start();

      THEN("it starts, and says that it did not check") {
        REQUIRE(orders.WaitUntilReady(std::chrono::seconds(20)));
        CHECK_THAT(orders.Log(), Catch::Contains("database integrity check skipped"));
        CHECK(orders.Terminate().Success());
      }
    }

    WHEN("it is started with SKIP_INTEGRITY_CHECK=1 in the environment") {
      system.StartOrders({{"SKIP_INTEGRITY_CHECK", "1"}});

      THEN("it starts too") {
        CHECK_THAT(system.orders().Log(), Catch::Contains("database integrity check skipped"));
      }
    }
  }
}
