// SampleMetrics: reads a running service's figures into a MetricsSnapshot,
// at scrape time, from the accessors the status endpoint uses too (the
// responder's endpoint figures, Relay::Stats, Writer::Stats,
// EventConsumer::Stats, the outbox through a read connection, the database
// files' sizes). Nothing is counted twice and the hot paths are not touched.
//
// Ownership: MetricsSources borrows every part; they must outlive every call
// (ServiceRuntime stops its MetricsServer before it tears them down).
// Thread-safety: SampleMetrics may run on any thread, concurrently with the
// service and with itself: each accessor it calls is thread-safe, and the
// consumers list must not change while it runs (it is complete before Serve).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "logistics/common/clock.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/relay.hpp"
#include "logistics/messaging/responder.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/service/metrics_snapshot.hpp"
#include "logistics/sqlite/read_pool.hpp"

namespace logistics::service {

struct MetricsSources {
  std::string service;
  const messaging::Responder& responder;
  const messaging::Relay& relay;
  const messaging::Writer& writer;
  const std::vector<std::unique_ptr<messaging::EventConsumer>>& consumers;
  sqlite::ReadPool& reads;
  std::filesystem::path db;
  const common::Clock& clock;
};

// The figures now. An outbox that cannot be read leaves outbox_unpublished
// empty (the metrics then omit the outbox gauges) rather than failing.
MetricsSnapshot SampleMetrics(const MetricsSources& sources);

}  // namespace logistics::service
