// GET /metrics of the real services, scraped with a real HTTP client while
// commands run: the counters agree with what was sent, with the status
// endpoint and with the stream (issue 18).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "orders_system.hpp"
#include "support/harness/free_port.hpp"
#include "support/harness/http_client.hpp"
#include "support/harness/prometheus_text.hpp"

namespace {

using logistics::testing::Eventually;
using logistics::testing::FreeTcpPort;
using logistics::testing::HttpGet;
using logistics::testing::OrdersSystem;
using logistics::testing::PrometheusText;
using Labels = std::map<std::string, std::string>;

constexpr int kCreates = 200;
constexpr int kSenders = 4;
constexpr int kBadBodies = 5;

// One scrape, read as Prometheus would; fails the test if it is not one.
PrometheusText Scrape(const std::string& address) {
  const auto response = HttpGet("http://" + address + "/metrics");
  INFO("GET http://" << address << "/metrics");
  REQUIRE(response.error.empty());
  REQUIRE(response.status == 200);
  auto text = PrometheusText::Parse(response.body);
  INFO(response.body);
  REQUIRE(text.error.empty());
  return text;
}

double ValueOr(const PrometheusText& text, const std::string& name, const Labels& labels,
               double otherwise = -1) {
  return text.Value(name, labels).value_or(otherwise);
}

const Labels kCreateSuccess{{"service", "orders"},
                            {"messaging_destination_name", "orders.cmd.create"},
                            {"messaging_consumer_group_name", "orders"},
                            {"outcome", "success"}};
const Labels kCreateRejected{{"service", "orders"},
                             {"messaging_destination_name", "orders.cmd.create"},
                             {"messaging_consumer_group_name", "orders"},
                             {"outcome", "rejected"}};

// Every counter of `before` is at most the same series in `after`.
void CheckCountersNeverDecrease(const PrometheusText& before, const PrometheusText& after) {
  for (const auto& sample : before.samples) {
    const auto type = before.types.find(sample.name);
    if (type == before.types.end() || type->second != "counter") continue;
    const auto later = after.Find(sample.name, sample.labels);
    REQUIRE(later.size() == 1);
    INFO(sample.name);
    CHECK(later.front().value >= sample.value);
  }
}

}  // namespace

SCENARIO("metrics scraped during load agree with the commands sent, the status and the stream",
         "[integration][metrics]") {
  GIVEN("orders and payments serving metrics on free loopback ports") {
    OrdersSystem system;
    const std::string orders_metrics = "127.0.0.1:" + std::to_string(FreeTcpPort());
    const std::string payments_metrics = "127.0.0.1:" + std::to_string(FreeTcpPort());
    system.StartOrders({{"METRICS_ADDRESS", orders_metrics}});
    system.StartPayments({{"METRICS_ADDRESS", payments_metrics}});

    WHEN("200 creates and 5 malformed ones are sent while /metrics is scraped") {
      std::atomic<int> failed_replies{0};
      std::atomic<int> senders_done{0};
      std::vector<std::thread> senders;
      for (int s = 0; s < kSenders; ++s) {
        senders.emplace_back([&, s] {
          for (int i = 0; i < kCreates / kSenders; ++i) {
            const nlohmann::json body{
                {"tracking_number", "TRK-M-" + std::to_string(s) + "-" + std::to_string(i)},
                {"customer_name", "Ana"},
                {"origin", "Madrid"},
                {"destination", "Lisbon"}};
            const auto reply = system.client().TryRequest("orders.cmd.create", body.dump(), {},
                                                          std::chrono::seconds(30));
            if (!reply.error.empty() || reply.Status() != 200) ++failed_replies;
          }
          ++senders_done;
        });
      }
      // Scrape while the creates run: every scrape must read and keep its
      // histograms whole, and no counter may go back.
      int scrapes = 0;
      std::optional<PrometheusText> previous;
      while (senders_done.load() < kSenders || scrapes < 2) {
        auto text = Scrape(orders_metrics);
        CHECK(text.HistogramProblem("messaging_process_duration_seconds", kCreateSuccess)
                  .value_or("") == "");
        if (previous) CheckCountersNeverDecrease(*previous, text);
        previous = std::move(text);
        ++scrapes;
      }
      for (auto& sender : senders) sender.join();
      for (int i = 0; i < kBadBodies; ++i) {
        REQUIRE(system.client().Request("orders.cmd.create", "{not json").Status() == 400);
      }
      REQUIRE(failed_replies.load() == 0);

      THEN("each create is counted once by outcome, in a whole histogram") {
        PrometheusText text = Scrape(orders_metrics);
        // A reply is sent before its answer is counted: wait for the last ones
        // (then the checks below say what was counted).
        Eventually([&] {
          text = Scrape(orders_metrics);
          return ValueOr(text, "messaging_client_consumed_messages_total", kCreateSuccess) ==
                     kCreates &&
                 ValueOr(text, "messaging_client_consumed_messages_total", kCreateRejected) ==
                     kBadBodies;
        });
        CHECK(ValueOr(text, "messaging_client_consumed_messages_total", kCreateSuccess) ==
              kCreates);
        CHECK(ValueOr(text, "messaging_client_consumed_messages_total", kCreateRejected) ==
              kBadBodies);
        CHECK(ValueOr(text, "messaging_client_consumed_messages_total",
                      {{"messaging_destination_name", "orders.cmd.create"},
                       {"outcome", "error"}}) == 0);
        CHECK(text.HistogramProblem("messaging_process_duration_seconds", kCreateSuccess)
                  .value_or("") == "");
        CHECK(ValueOr(text, "messaging_process_duration_seconds_count", kCreateSuccess) ==
              kCreates);
        CHECK(ValueOr(text, "messaging_process_duration_seconds_sum", kCreateSuccess) > 0);
        CHECK(text.HistogramProblem("messaging_process_duration_seconds", kCreateRejected)
                  .value_or("") == "");

        AND_THEN("once the outbox is drained, published equals the stream and the status") {
          PrometheusText text = Scrape(orders_metrics);
          REQUIRE(Eventually(
              [&] {
                text = Scrape(orders_metrics);
                return ValueOr(text, "outbox_unpublished_messages", {{"service", "orders"}}) == 0 &&
                       ValueOr(text, "messaging_client_sent_messages_total",
                               {{"service", "orders"}}) == kCreates;
              },
              std::chrono::seconds(20)));
          const auto status = system.Status("orders");
          CHECK(system.client().StreamMessageCount("ORDERS") == kCreates);
          CHECK(ValueOr(text, "messaging_client_sent_messages_total", {{"service", "orders"}}) ==
                status["relay"]["published"].get<double>());
          CHECK(ValueOr(text, "outbox_oldest_unpublished_age_seconds", {{"service", "orders"}}) ==
                0);
          CHECK(ValueOr(text, "outbox_parked_messages", {{"service", "orders"}}) ==
              status["outbox"]["parked"].get<double>());
        CHECK(ValueOr(text, "outbox_parked_aggregates_total", {{"service", "orders"}}) == 0);
          CHECK(text.HistogramProblem("outbox_commit_to_ack_duration_seconds",
                                      {{"service", "orders"}})
                    .value_or("") == "");
          CHECK(ValueOr(text, "outbox_commit_to_ack_duration_seconds_count",
                        {{"service", "orders"}}) ==
                status["relay"]["commit_to_ack_us"]["count"].get<double>());
          // Every create was a change in a durable commit; the writer's counts
          // hold still once the load is over (bookkeeping commits may not).
          CHECK(
              ValueOr(text, "writer_commits_total", {{"service", "orders"}, {"kind", "durable"}}) ==
              status["writer"]["durable_commits"].get<double>());
          CHECK(text.HistogramProblem("writer_changes_per_commit", {{"service", "orders"}})
                    .value_or("") == "");
          CHECK(ValueOr(text, "writer_changes_per_commit_sum", {{"service", "orders"}}) ==
                status["writer"]["changes_committed"].get<double>());
          CHECK(ValueOr(text, "writer_changes_per_commit_count", {{"service", "orders"}}) ==
                status["writer"]["durable_commits"].get<double>());
          CHECK(ValueOr(text, "sqlite_wal_size_bytes", {{"service", "orders"}}) > 0);
          CHECK(ValueOr(text, "sqlite_database_size_bytes", {{"service", "orders"}}) > 0);

          AND_THEN("payments' consumer of ORDERS counts every event once and catches up") {
            const Labels consumer{{"service", "payments"},
                                  {"messaging_destination_subscription_name", "payments-orders"},
                                  {"messaging_destination_name", "ORDERS"}};
            PrometheusText text = Scrape(payments_metrics);
            REQUIRE(Eventually(
                [&] {
                  text = Scrape(payments_metrics);
                  return ValueOr(text, "messaging_consumer_processed_messages_total", consumer) ==
                             kCreates &&
                         ValueOr(text, "messaging_consumer_lag_messages", consumer) == 0;
                },
                std::chrono::seconds(20)));
            const auto figures = system.Status("payments")["consumers"]["payments-orders"];
            CHECK(ValueOr(text, "messaging_consumer_processed_messages_total", consumer) ==
                  figures["processed"].get<double>());
            CHECK(ValueOr(text, "messaging_consumer_duplicate_messages_total", consumer) ==
                  figures["duplicates"].get<double>());
            CHECK(ValueOr(text, "messaging_consumer_retried_messages_total", consumer) == 0);
            CHECK(ValueOr(text, "messaging_consumer_dead_letter_messages_total", consumer) == 0);
          }
        }
      }
    }
  }
}

TEST_CASE("a service whose metrics address is taken stops at start-up with exit 1 and the reason",
          "[integration][metrics]") {
  // Hold a listening socket on the port, as another program would.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const std::string taken = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));

  OrdersSystem system;
  logistics::testing::ServiceProcess orders(
      LOGISTICS_ORDERS_BIN,
      {"--nats-url", system.nats().url(), "--db", (system.dir() / "orders.db").string()},
      {{"METRICS_ADDRESS", taken}}, system.dir());
  orders.Start();
  const auto exit = orders.WaitForExit(std::chrono::seconds(20));
  ::close(fd);
  REQUIRE(exit.has_value());
  CHECK(exit->exited);
  CHECK(exit->code == 1);
  CHECK(orders.Log().find("cannot serve metrics on " + taken) != std::string::npos);
}

TEST_CASE("a malformed metrics address is a usage error (exit 2)", "[integration][metrics]") {
  OrdersSystem system;
  logistics::testing::ServiceProcess orders(
      LOGISTICS_ORDERS_BIN,
      {"--nats-url", system.nats().url(), "--db", (system.dir() / "orders.db").string(),
       "--metrics-address", "localhost:9464"},
      {}, system.dir());
  orders.Start();
  const auto exit = orders.WaitForExit(std::chrono::seconds(20));
  REQUIRE(exit.has_value());
  CHECK(exit->code == 2);
  CHECK(orders.Log().find("--metrics-address 'localhost:9464' must be") != std::string::npos);
}
