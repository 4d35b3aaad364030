// What the services say about their command line: a bad number names the flag
// and its variable, --log-format picks the log's shape, and notifications'
// --help lists only the flags it uses.
#include <catch2/catch.hpp>

#include "integration/orders_system.hpp"
#include "support/harness/child_process.hpp"
#include "support/harness/temp_dir.hpp"

using logistics::testing::ChildProcess;
using logistics::testing::OrdersSystem;
using logistics::testing::TempDir;

namespace {

struct Run {
  int code = -1;
  std::string output;
};

Run RunToExit(const char* binary, std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  TempDir dir("service-flags");
  ChildProcess process(binary, std::move(args), std::move(env), dir.path());
  process.Start();
  const auto exit = process.WaitForExit(std::chrono::seconds(20));
  REQUIRE(exit);
  return {exit->exited ? exit->code : -1, process.Log()};
}

}  // namespace

TEST_CASE("a word where a number belongs names the flag and its variable and says it is not a number",
          "[integration][configuration]") {
  const Run flag = RunToExit(LOGISTICS_ORDERS_BIN, {"--writer-batch", "abc"});
  INFO(flag.output);
  CHECK(flag.code == 2);
  CHECK_THAT(flag.output, Catch::Contains("--writer-batch (WRITER_BATCH): 'abc' is not a number"));

  const Run variable = RunToExit(LOGISTICS_ORDERS_BIN, {}, {{"WRITER_BATCH", "abc"}});
  INFO(variable.output);
  CHECK(variable.code == 2);
  CHECK_THAT(variable.output, Catch::Contains("--writer-batch (WRITER_BATCH): 'abc' is not a number"));

  const Run range = RunToExit(LOGISTICS_PAYMENTS_BIN, {"--consumer-batch", "0"});
  INFO(range.output);
  CHECK(range.code == 2);
  CHECK_THAT(range.output, Catch::Contains("--consumer-batch (CONSUMER_BATCH): '0' is not between 1 and 1000"));
}

TEST_CASE("the log format flag: text writes lines for a person, json one object per line", "[integration][configuration]") {
  OrdersSystem system;
  system.StartOrders({{"LOG_FORMAT", "text"}});
  const std::string log = system.orders().Log();
  INFO(log);
  CHECK_THAT(log, Catch::Contains(" INFO  orders: orders service ready version="));
  CHECK_THAT(log, !Catch::Contains("{\"time\""));

  const Run wrong = RunToExit(LOGISTICS_ORDERS_BIN, {"--log-format", "yaml"});
  INFO(wrong.output);
  CHECK(wrong.code == 2);
  CHECK_THAT(wrong.output, Catch::Contains("--log-format"));
}

TEST_CASE("a service's log is JSON when stderr is not a terminal", "[integration][configuration]") {
  OrdersSystem system;
  system.StartOrders();
  CHECK_THAT(system.orders().Log(), Catch::Contains("{\"time\""));
}

TEST_CASE("notifications --help lists the flags it uses and not those of an outbox it does not have",
          "[integration][configuration]") {
  const Run help = RunToExit(LOGISTICS_NOTIFICATIONS_BIN, {"--help"});
  INFO(help.output);
  CHECK(help.code == 0);
  for (const char* used : {"--writer-batch", "--consumer-batch", "--max-deliveries", "--inbox-retention",
                           "--log-format", "--message-id-domain", "--relay-lease-ms"}) {
    CHECK_THAT(help.output, Catch::Contains(used));
  }
  for (const char* unused : {"--relay-window", "--park-after-attempts", "--republish-horizon",
                             "--duplicate-window", "--stream-max-age", "--stream-replicas",
                             "--alarm-unpublished-age", "--idempotency-retention"}) {
    CHECK_THAT(help.output, !Catch::Contains(unused));
  }
  // orders still lists them.
  const Run orders = RunToExit(LOGISTICS_ORDERS_BIN, {"--help"});
  CHECK_THAT(orders.output, Catch::Contains("--relay-window"));
}
