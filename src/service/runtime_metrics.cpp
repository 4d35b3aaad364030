#include "logistics/service/runtime_metrics.hpp"

#include <chrono>
#include <system_error>

#include "logistics/messaging/endpoint_stats.hpp"
#include "logistics/messaging/sqlite_outbox.hpp"

namespace logistics::service {
namespace {

constexpr const char* kOutcomeLabels[messaging::kAnswerOutcomes] = {"success", "rejected", "error"};

double Seconds(std::chrono::microseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

// Per-bucket counts (the last above every bound) as a cumulative histogram.
template <typename Bounds, typename Counts, typename ToBound>
HistogramFigures Cumulative(const Bounds& bounds, const Counts& per_bucket, double sum,
                            ToBound to_bound) {
  HistogramFigures histogram;
  histogram.sum = sum;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    seen += per_bucket[i];
    histogram.upper_bounds.push_back(to_bound(bounds[i]));
    histogram.cumulative_counts.push_back(seen);
  }
  histogram.count = seen + per_bucket[bounds.size()];
  return histogram;
}

HistogramFigures CommitToAck(const common::LatencyHistogram& latencies) {
  HistogramFigures histogram;
  histogram.count = latencies.count();
  histogram.sum = Seconds(latencies.Sum());
  // The same bounds as the endpoints' durations: one dashboard scale.
  for (const auto bound : messaging::kAnswerDurationBounds) {
    histogram.upper_bounds.push_back(Seconds(bound));
    histogram.cumulative_counts.push_back(latencies.CountAtMost(bound));
  }
  return histogram;
}

std::optional<std::uint64_t> FileSize(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) return std::nullopt;
  return static_cast<std::uint64_t>(size);
}

}  // namespace

MetricsSnapshot SampleMetrics(const MetricsSources& sources) {
  MetricsSnapshot snapshot;
  snapshot.service = sources.service;

  for (const auto& endpoint : sources.responder.Endpoints()) {
    for (std::size_t i = 0; i < messaging::kAnswerOutcomes; ++i) {
      const auto& outcome = endpoint.figures.outcomes[i];
      snapshot.endpoints.push_back(
          {endpoint.subject, endpoint.queue_group, kOutcomeLabels[i],
           Cumulative(messaging::kAnswerDurationBounds, outcome.per_bucket,
                      static_cast<double>(outcome.duration_ns) / 1e9,
                      [](std::chrono::microseconds bound) { return Seconds(bound); })});
    }
  }

  {
    auto db = sources.reads.Acquire();
    if (auto outbox = messaging::SqliteOutbox(*db).Stats()) {
      snapshot.outbox_unpublished = outbox->unpublished;
      snapshot.outbox_parked = outbox->parked;
      if (outbox->oldest_unpublished_created_at) {
        snapshot.outbox_oldest_unpublished_age_seconds =
            std::max(0.0, std::chrono::duration<double>(sources.clock.Now() -
                                                        *outbox->oldest_unpublished_created_at)
                              .count());
      }
    }
  }

  const auto relay = sources.relay.Stats();
  snapshot.relay_published = relay.published;
  snapshot.relay_failed_attempts = relay.failed_attempts;
  snapshot.relay_parked_aggregates = relay.parked_aggregates;
  snapshot.relay_commit_to_ack_seconds = CommitToAck(relay.commit_to_ack);

  const auto writer = sources.writer.Stats();
  snapshot.writer_durable_commits = writer.durable_commits;
  snapshot.writer_bookkeeping_commits = writer.bookkeeping_commits;
  snapshot.writer_queue_depth = writer.queue_depth;
  // Durable commits only: changes_committed counts no change in bookkeeping ones.
  snapshot.writer_changes_per_commit =
      Cumulative(messaging::kChangesPerCommitBounds, writer.changes_per_commit,
                 static_cast<double>(writer.changes_committed),
                 [](std::uint64_t bound) { return static_cast<double>(bound); });

  for (const auto& consumer : sources.consumers) {
    const auto stats = consumer->Stats();
    snapshot.consumers.push_back({consumer->spec().durable, consumer->spec().stream,
                                  stats.processed, stats.duplicates, stats.retries,
                                  stats.dead_letters, stats.pending});
  }

  snapshot.database_bytes = FileSize(sources.db);
  snapshot.wal_bytes = FileSize(std::filesystem::path(sources.db.string() + "-wal"));
  return snapshot;
}

}  // namespace logistics::service
