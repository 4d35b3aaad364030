#include "logistics/service/metrics_exposition.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <utility>

namespace logistics::service {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

// The service label first, then the metric's own.
Labels LabelsOf(const MetricsSnapshot& snapshot, Labels more = {}) {
  Labels labels{{"service", snapshot.service}};
  labels.insert(labels.end(), std::make_move_iterator(more.begin()),
                std::make_move_iterator(more.end()));
  return labels;
}

void AddCounter(MetricFamily& family, Labels labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = value;
  family.metric.push_back(std::move(metric));
}

void AddGauge(MetricFamily& family, Labels labels, double value) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

void AddHistogram(MetricFamily& family, Labels labels, const HistogramFigures& figures) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.histogram.sample_count = figures.count;
  metric.histogram.sample_sum = figures.sum;
  for (std::size_t i = 0; i < figures.upper_bounds.size() && i < figures.cumulative_counts.size();
       ++i) {
    metric.histogram.bucket.push_back({figures.cumulative_counts[i], figures.upper_bounds[i]});
  }
  family.metric.push_back(std::move(metric));  // the serializer adds le="+Inf" (count)
}

double AsDouble(std::uint64_t value) { return static_cast<double>(value); }

}  // namespace

std::vector<MetricFamily> MetricFamiliesOf(const MetricsSnapshot& snapshot) {
  std::vector<MetricFamily> families;

  // Requests served on the service's endpoints (commands, queries, status).
  auto answered = Family("messaging_client_consumed_messages_total",
                         "Requests received on an endpoint and answered, by outcome: success "
                         "(2xx), rejected (4xx), error (5xx)",
                         MetricType::Counter);
  auto duration = Family("messaging_process_duration_seconds",
                         "Time from receiving a request to answering it (for commands including "
                         "the group commit), by outcome",
                         MetricType::Histogram);
  for (const auto& endpoint : snapshot.endpoints) {
    const Labels labels =
        LabelsOf(snapshot, {{"messaging_destination_name", endpoint.subject},
                            {"messaging_consumer_group_name", endpoint.queue_group},
                            {"outcome", endpoint.outcome}});
    AddCounter(answered, labels, AsDouble(endpoint.duration_seconds.count));
    AddHistogram(duration, labels, endpoint.duration_seconds);
  }
  families.push_back(std::move(answered));
  families.push_back(std::move(duration));

  // The outbox and its relay.
  auto sent = Family("messaging_client_sent_messages_total",
                     "Events the relay published from the outbox and the stream acknowledged "
                     "(PubAcks, duplicates included)",
                     MetricType::Counter);
  AddCounter(sent, LabelsOf(snapshot), AsDouble(snapshot.relay_published));
  families.push_back(std::move(sent));
  auto failed =
      Family("outbox_relay_failed_attempts_total",
             "Relay rounds that failed to publish (retried with back-off)", MetricType::Counter);
  AddCounter(failed, LabelsOf(snapshot), AsDouble(snapshot.relay_failed_attempts));
  families.push_back(std::move(failed));
  auto commit_to_ack = Family("outbox_commit_to_ack_duration_seconds",
                              "Time from the commit that made an event durable to its PubAck, "
                              "for every event this process committed",
                              MetricType::Histogram);
  AddHistogram(commit_to_ack, LabelsOf(snapshot), snapshot.relay_commit_to_ack_seconds);
  families.push_back(std::move(commit_to_ack));
  if (snapshot.outbox_unpublished) {
    auto depth = Family("outbox_unpublished_messages",
                        "Outbox rows waiting for a PubAck (the outbox depth)", MetricType::Gauge);
    AddGauge(depth, LabelsOf(snapshot), static_cast<double>(*snapshot.outbox_unpublished));
    families.push_back(std::move(depth));
    auto age =
        Family("outbox_oldest_unpublished_age_seconds",
               "Age of the oldest unpublished outbox row (0 when none waits)", MetricType::Gauge);
    AddGauge(age, LabelsOf(snapshot), snapshot.outbox_oldest_unpublished_age_seconds);
    families.push_back(std::move(age));
    auto parked = Family("outbox_parked_messages",
                         "Outbox rows parked now: refused for a lasting reason, set aside with "
                         "the later events of their aggregate until requeued or discarded",
                         MetricType::Gauge);
    AddGauge(parked, LabelsOf(snapshot), static_cast<double>(snapshot.outbox_parked));
    families.push_back(std::move(parked));
  }
  auto parkings = Family("outbox_parked_aggregates_total",
                         "Aggregates whose events this process's relay parked", MetricType::Counter);
  AddCounter(parkings, LabelsOf(snapshot), AsDouble(snapshot.relay_parked_aggregates));
  families.push_back(std::move(parkings));

  // The writer (group commit).
  auto commits = Family("writer_commits_total",
                        "Write transactions committed: durable (with changes, synchronous=FULL) "
                        "or bookkeeping (relay marks and clean-up alone)",
                        MetricType::Counter);
  AddCounter(commits, LabelsOf(snapshot, {{"kind", "durable"}}),
             AsDouble(snapshot.writer_durable_commits));
  AddCounter(commits, LabelsOf(snapshot, {{"kind", "bookkeeping"}}),
             AsDouble(snapshot.writer_bookkeeping_commits));
  families.push_back(std::move(commits));
  auto batch = Family("writer_changes_per_commit",
                      "Changes (commands, consumed events) per durable commit: how much group "
                      "commit batches",
                      MetricType::Histogram);
  AddHistogram(batch, LabelsOf(snapshot), snapshot.writer_changes_per_commit);
  families.push_back(std::move(batch));
  auto queue = Family("writer_queue_depth", "Write jobs waiting for the writer", MetricType::Gauge);
  AddGauge(queue, LabelsOf(snapshot), AsDouble(snapshot.writer_queue_depth));
  families.push_back(std::move(queue));

  // Durable consumers of the event streams.
  struct ConsumerCounter {
    const char* name;
    const char* help;
    std::uint64_t ConsumerMetrics::*field;
  };
  const ConsumerCounter consumer_counters[] = {
      {"messaging_consumer_processed_messages_total", "Events applied (or ignored) by the consumer",
       &ConsumerMetrics::processed},
      {"messaging_consumer_duplicate_messages_total",
       "Redelivered events the consumer's inbox had already processed",
       &ConsumerMetrics::duplicates},
      {"messaging_consumer_retried_messages_total",
       "Deliveries that failed and were handed back for redelivery (naks)",
       &ConsumerMetrics::retries},
      {"messaging_consumer_dead_letter_messages_total",
       "Events that failed every delivery and became dead letters", &ConsumerMetrics::dead_letters},
  };
  auto consumer_labels = [&](const ConsumerMetrics& consumer) {
    return LabelsOf(snapshot, {{"messaging_destination_subscription_name", consumer.durable},
                               {"messaging_destination_name", consumer.stream}});
  };
  for (const auto& counter : consumer_counters) {
    auto family = Family(counter.name, counter.help, MetricType::Counter);
    for (const auto& consumer : snapshot.consumers) {
      AddCounter(family, consumer_labels(consumer), AsDouble(consumer.*counter.field));
    }
    families.push_back(std::move(family));
  }
  auto lag = Family("messaging_consumer_lag_messages",
                    "Events the server still holds for the durable consumer (num_pending)",
                    MetricType::Gauge);
  for (const auto& consumer : snapshot.consumers) {
    AddGauge(lag, consumer_labels(consumer), AsDouble(consumer.pending));
  }
  families.push_back(std::move(lag));

  // SQLite.
  if (snapshot.database_bytes) {
    auto size =
        Family("sqlite_database_size_bytes", "Size of the SQLite database file", MetricType::Gauge);
    AddGauge(size, LabelsOf(snapshot), AsDouble(*snapshot.database_bytes));
    families.push_back(std::move(size));
  }
  if (snapshot.wal_bytes) {
    auto wal = Family("sqlite_wal_size_bytes",
                      "Size of the SQLite write-ahead log (-wal file), bounded by checkpoints",
                      MetricType::Gauge);
    AddGauge(wal, LabelsOf(snapshot), AsDouble(*snapshot.wal_bytes));
    families.push_back(std::move(wal));
  }
  return families;
}

std::string ExpositionText(const MetricsSnapshot& snapshot) {
  return prometheus::TextSerializer().Serialize(MetricFamiliesOf(snapshot));
}

}  // namespace logistics::service
