// The Prometheus exposition of a service's figures: names, types, labels and
// their escaping, histograms, and GET /metrics over real HTTP.
#include "logistics/service/metrics_exposition.hpp"

#include <atomic>
#include <limits>
#include <optional>
#include <catch2/catch.hpp>
#include <string>

#include "logistics/service/metrics_server.hpp"
#include "support/harness/free_port.hpp"
#include "support/harness/http_client.hpp"
#include "support/harness/prometheus_text.hpp"

namespace {

using logistics::service::CheckMetricsAddress;
using logistics::service::ExpositionText;
using logistics::service::HistogramFigures;
using logistics::service::MetricsServer;
using logistics::service::MetricsSnapshot;
using logistics::testing::FreeTcpPort;
using logistics::testing::HttpGet;
using logistics::testing::PrometheusText;

HistogramFigures Durations() {
  HistogramFigures histogram;
  histogram.upper_bounds = {0.001, 0.01, 0.1};
  histogram.cumulative_counts = {3, 5, 6};
  histogram.count = 7;
  histogram.sum = 1.25;
  return histogram;
}

MetricsSnapshot Snapshot() {
  MetricsSnapshot snapshot;
  snapshot.service = "orders";
  snapshot.endpoints.push_back({"orders.cmd.create", "orders", "success", Durations()});
  snapshot.endpoints.push_back({"orders.cmd.create", "orders", "rejected", HistogramFigures{}});
  snapshot.outbox_unpublished = 4;
  snapshot.outbox_oldest_unpublished_age_seconds = 2.5;
  snapshot.outbox_parked = 6;
  snapshot.relay_parked_aggregates = 2;
  snapshot.relay_published = 42;
  snapshot.relay_failed_attempts = 1;
  snapshot.relay_commit_to_ack_seconds = Durations();
  snapshot.writer_durable_commits = 9;
  snapshot.writer_bookkeeping_commits = 2;
  snapshot.writer_queue_depth = 3;
  snapshot.writer_changes_per_commit = Durations();
  snapshot.consumers.push_back({"orders-payments", "PAYMENTS", 10, 2, 3, 1, 5});
  snapshot.database_bytes = 4096;
  snapshot.wal_bytes = 8192;
  return snapshot;
}

}  // namespace

TEST_CASE("every metric of a service is exposed with its type and the service label",
          "[service][metrics]") {
  const auto text = PrometheusText::Parse(ExpositionText(Snapshot()));
  REQUIRE(text.error.empty());
  const std::map<std::string, std::string> expected_types{
      {"messaging_client_consumed_messages_total", "counter"},
      {"messaging_process_duration_seconds", "histogram"},
      {"messaging_client_sent_messages_total", "counter"},
      {"outbox_relay_failed_attempts_total", "counter"},
      {"outbox_commit_to_ack_duration_seconds", "histogram"},
      {"outbox_unpublished_messages", "gauge"},
      {"outbox_oldest_unpublished_age_seconds", "gauge"},
      {"outbox_parked_messages", "gauge"},
      {"outbox_parked_aggregates_total", "counter"},
      {"writer_commits_total", "counter"},
      {"writer_changes_per_commit", "histogram"},
      {"writer_queue_depth", "gauge"},
      {"messaging_consumer_processed_messages_total", "counter"},
      {"messaging_consumer_duplicate_messages_total", "counter"},
      {"messaging_consumer_retried_messages_total", "counter"},
      {"messaging_consumer_dead_letter_messages_total", "counter"},
      {"messaging_consumer_lag_messages", "gauge"},
      {"sqlite_database_size_bytes", "gauge"},
      {"sqlite_wal_size_bytes", "gauge"}};
  CHECK(text.types == expected_types);
  for (const auto& sample : text.samples) {
    INFO(sample.name);
    CHECK(sample.labels.at("service") == "orders");
  }

  CHECK(text.Value("messaging_client_consumed_messages_total",
                   {{"messaging_destination_name", "orders.cmd.create"},
                    {"messaging_consumer_group_name", "orders"},
                    {"outcome", "success"}}) == 7);
  CHECK(text.Value("messaging_client_consumed_messages_total", {{"outcome", "rejected"}}) == 0);
  CHECK(text.Value("messaging_client_sent_messages_total") == 42);
  CHECK(text.Value("outbox_relay_failed_attempts_total") == 1);
  CHECK(text.Value("outbox_unpublished_messages") == 4);
  CHECK(text.Value("outbox_oldest_unpublished_age_seconds") == 2.5);
  CHECK(text.Value("outbox_parked_messages") == 6);
  CHECK(text.Value("outbox_parked_aggregates_total") == 2);
  CHECK(text.Value("writer_commits_total", {{"kind", "durable"}}) == 9);
  CHECK(text.Value("writer_commits_total", {{"kind", "bookkeeping"}}) == 2);
  CHECK(text.Value("writer_queue_depth") == 3);
  const std::map<std::string, std::string> consumer{
      {"messaging_destination_subscription_name", "orders-payments"},
      {"messaging_destination_name", "PAYMENTS"}};
  CHECK(text.Value("messaging_consumer_processed_messages_total", consumer) == 10);
  CHECK(text.Value("messaging_consumer_duplicate_messages_total", consumer) == 2);
  CHECK(text.Value("messaging_consumer_retried_messages_total", consumer) == 3);
  CHECK(text.Value("messaging_consumer_dead_letter_messages_total", consumer) == 1);
  CHECK(text.Value("messaging_consumer_lag_messages", consumer) == 5);
  CHECK(text.Value("sqlite_database_size_bytes") == 4096);
  CHECK(text.Value("sqlite_wal_size_bytes") == 8192);
}

TEST_CASE("a histogram is exposed with cumulative buckets, +Inf equal to its count, and its sum",
          "[service][metrics]") {
  const auto text = PrometheusText::Parse(ExpositionText(Snapshot()));
  REQUIRE(text.error.empty());
  const std::map<std::string, std::string> labels{
      {"service", "orders"},
      {"messaging_destination_name", "orders.cmd.create"},
      {"messaging_consumer_group_name", "orders"},
      {"outcome", "success"}};
  CHECK(text.HistogramProblem("messaging_process_duration_seconds", labels).value_or("") == "");
  // The bucket whose le reads as `bound` (however the number is written).
  auto bucket = [&](double bound) {
    std::optional<double> found;
    for (const auto& sample : text.Find("messaging_process_duration_seconds_bucket", labels)) {
      if (std::stod(sample.labels.at("le")) == bound) found = sample.value;
    }
    return found;
  };
  CHECK(bucket(0.001) == 3);
  CHECK(bucket(0.01) == 5);
  CHECK(bucket(0.1) == 6);
  CHECK(bucket(std::numeric_limits<double>::infinity()) == 7);
  CHECK(text.Value("messaging_process_duration_seconds_count", labels) == 7);
  CHECK(text.Value("messaging_process_duration_seconds_sum", labels) == 1.25);
  CHECK(text.HistogramProblem("outbox_commit_to_ack_duration_seconds", {{"service", "orders"}})
            .value_or("") == "");
  CHECK(text.HistogramProblem("writer_changes_per_commit", {{"service", "orders"}}).value_or("") ==
        "");
}

TEST_CASE("label values are escaped as the text format requires", "[service][metrics]") {
  MetricsSnapshot snapshot = Snapshot();
  snapshot.service = "a \"quoted\" back\\slash\nnewline";
  const std::string exposed = ExpositionText(snapshot);
  CHECK(exposed.find(R"(service="a \"quoted\" back\\slash\nnewline")") != std::string::npos);
  const auto text = PrometheusText::Parse(exposed);
  REQUIRE(text.error.empty());
  CHECK(text.Value("messaging_client_sent_messages_total",
                   {{"service", "a \"quoted\" back\\slash\nnewline"}}) == 42);
}

TEST_CASE("gauges of what could not be read are left out rather than shown as zero",
          "[service][metrics]") {
  MetricsSnapshot snapshot = Snapshot();
  snapshot.outbox_unpublished.reset();
  snapshot.wal_bytes.reset();
  const auto text = PrometheusText::Parse(ExpositionText(snapshot));
  REQUIRE(text.error.empty());
  CHECK(text.Find("outbox_unpublished_messages").empty());
  CHECK(text.Find("outbox_oldest_unpublished_age_seconds").empty());
  CHECK(text.Find("outbox_parked_messages").empty());
  CHECK(text.Find("sqlite_wal_size_bytes").empty());
  CHECK(text.Value("sqlite_database_size_bytes") == 4096);
}

TEST_CASE("a metrics address must be an IP address and a port", "[service][metrics]") {
  for (const std::string good : {"127.0.0.1:9464", "0.0.0.0:1", "[::1]:65535"}) {
    INFO(good);
    CHECK(CheckMetricsAddress(good).has_value());
  }
  for (const std::string bad :
       {"9464", ":9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:94x4", "localhost:9464", "::1:9464", "[::1:9464", "http://127.0.0.1:9464"}) {
    INFO(bad);
    const auto checked = CheckMetricsAddress(bad);
    REQUIRE_FALSE(checked.has_value());
    CHECK(checked.error().find("--metrics-address") != std::string::npos);
  }
}

SCENARIO("GET /metrics serves the sampler's figures over HTTP", "[service][metrics]") {
  GIVEN("a metrics server on a free loopback port") {
    const std::string address = "127.0.0.1:" + std::to_string(FreeTcpPort());
    std::atomic<int> samples{0};
    auto server = MetricsServer::Start(address, [&samples] {
      ++samples;
      return Snapshot();
    });
    REQUIRE(server.has_value());

    WHEN("it is scraped twice") {
      const auto first = HttpGet("http://" + address + "/metrics");
      const auto second = HttpGet("http://" + address + "/metrics");

      THEN("each scrape samples the figures afresh and reads as the text format") {
        REQUIRE(first.error.empty());
        CHECK(first.status == 200);
        CHECK(first.content_type.find("text/plain") == 0);
        CHECK(second.status == 200);
        CHECK(samples == 2);
        const auto text = PrometheusText::Parse(first.body);
        REQUIRE(text.error.empty());
        CHECK(text.Value("messaging_client_sent_messages_total", {{"service", "orders"}}) == 42);
      }
    }
    WHEN("a second server asks for the same address") {
      auto again = MetricsServer::Start(address, [] { return MetricsSnapshot{}; });

      THEN("it is refused, naming the address") {
        REQUIRE_FALSE(again.has_value());
        CHECK(again.error().find(address) != std::string::npos);
      }
    }
    WHEN("it is stopped") {
      server->reset();

      THEN("nothing answers on the address any more") {
        CHECK_FALSE(HttpGet("http://" + address + "/metrics").error.empty());
      }
    }
  }
}
