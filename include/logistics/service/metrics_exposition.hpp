// The Prometheus metrics of a service: names, types, help and labels, from a
// MetricsSnapshot. The one place that names a metric (README, Operations,
// "Metrics" lists them all).
//
// Names follow the OpenTelemetry messaging semantic conventions turned into
// Prometheus style (dots become underscores, the unit is a suffix, counters
// end in _total): messaging.process.duration -> messaging_process_duration_seconds,
// messaging.client.sent.messages -> messaging_client_sent_messages_total,
// attributes messaging.destination.name -> label messaging_destination_name.
// What the conventions do not cover (the outbox, the writer, SQLite) is named
// the same way after our own words. Every metric carries the `service` label.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "logistics/service/metrics_snapshot.hpp"

namespace prometheus {
struct MetricFamily;
}

namespace logistics::service {

// The snapshot as metric families, in a fixed order (prometheus-cpp types; for
// the exposer and for tests).
std::vector<prometheus::MetricFamily> MetricFamiliesOf(const MetricsSnapshot& snapshot);

// The snapshot in the Prometheus text exposition format (version 0.0.4), as
// GET /metrics serves it.
std::string ExpositionText(const MetricsSnapshot& snapshot);

}  // namespace logistics::service
