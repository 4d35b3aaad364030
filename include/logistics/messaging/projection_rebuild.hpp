// RebuildProjections: re-derive a service's projections of other services'
// events from the streams, and swap them in atomically.
//
// A service's projections (payments' view of orders, notifications' contacts)
// are pure functions of the events. To rebuild them (after restoring a backup,
// after a bug fix in the projection code) the service, before it serves:
//   1. opens a scratch database beside its own (<db>.rebuild), with the
//      service's migrations, so the same SQL adapters write to it;
//   2. reads every message of each source stream, from the first sequence to
//      the last one at the start, and applies each event with `apply`;
//   3. in one transaction on the live database, replaces the contents of each
//      projection table with the scratch one's (readers see the old or the new
//      projection, never a mix), then removes the scratch database.
// Effects are not projections: the inbox, sent notifications, payments and the
// outbox are untouched, so nothing is redone and nothing is lost. Events that
// arrive during the rebuild, or that the durable consumers have not processed
// yet, are applied by the consumers afterwards; projections only move forward
// in version, so applying an event twice changes nothing.
//
// Thread-safety: call from main, before the service starts its consumers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <functional>
#include <string>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/sqlite/migrations.hpp"

namespace logistics::messaging {

struct ProjectionSource {
  std::string stream;          // "ORDERS"
  std::string subject_filter;  // "orders.events.>"
};

struct ProjectionRebuildSpec {
  std::vector<ProjectionSource> sources;
  std::vector<std::string> tables;  // the projection tables to swap
  // Migrations the scratch database needs (component name, migrations).
  std::vector<std::pair<std::string, std::span<const sqlite::Migration>>> schema;
  // Applies one event to the scratch database. kRetry/kReject stop the
  // rebuild (nothing is swapped); kIgnored skips the event.
  std::function<HandlerResult(sqlite::Database&, const ConsumedEvent&)> apply;
};

struct RebuildReport {
  std::uint64_t events = 0;  // events read
  std::uint64_t applied = 0;
  std::map<std::string, std::int64_t> rows;  // rows per table after the swap
};

common::Result<RebuildReport, std::string> RebuildProjections(
    nats::Connection& connection, const std::filesystem::path& database,
    const ProjectionRebuildSpec& spec);

}  // namespace logistics::messaging
