// SaveAggregate: the SQLite half of every unit of work: write one aggregate's
// row with an optimistic version check, then append its events to the outbox,
// on the writer's connection inside the current command's savepoint.
//
// The version rule is the same for every aggregate: version 1 is an INSERT;
// version n > 1 is an UPDATE that only matches the row still at n - 1, so a
// lost update is impossible even if two writers (two instances on one
// database) raced on the same aggregate. The events follow the row in order;
// the writer's commit makes the row and its outbox rows durable together, or
// neither. A service describes its table (AggregateTable) and binds its row;
// what a duplicate or a stale version means in its domain is its own choice.
//
// Usage (see sqlite_order_unit_of_work.cpp):
//   auto saved = SaveAggregate(db, kOrdersTable, snapshot.version,
//       [&](sqlite::Statement& row) { BindFields(row, snapshot); },
//       events.size(), [&](std::size_t i) { return OutboxEntry{...}; });
//
// Ownership: borrows everything for the call. Thread-safety: writer thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "logistics/common/port_error.hpp"
#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/messaging/outbox_message.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::aggregate_service::infrastructure {

// How one aggregate type is stored. Both statements bind the row's columns as
// parameters 1..row_parameters, the aggregate's id last; update_sql binds the
// expected previous version as parameter row_parameters + 1.
struct AggregateTable {
  std::string_view storage_name;  // names the PortError: "orders storage"
  std::string_view insert_sql;
  std::string_view update_sql;
  int row_parameters = 0;
};

// One event, as it goes to the outbox.
struct OutboxEntry {
  messaging::OutboxMessage message;
  common::Timestamp occurred_at;
};

enum class AggregateWrite {
  kSaved,            // the row and every event are written
  kUniqueKeyTaken,   // version 1, but another row holds one of its unique values
  kVersionConflict,  // the stored row is not at version - 1 (for version 1:
                     // a row with the id is already stored)
};

// Writes the row, then `event_count` events (entry i made by event_at(i),
// only once the row is written). kUniqueKeyTaken and kVersionConflict write
// nothing; a PortError (named after table.storage_name) leaves what was
// written to the caller's rollback.
common::Result<AggregateWrite, common::PortError> SaveAggregate(
    sqlite::Database& db, const AggregateTable& table, std::int64_t version,
    const std::function<void(sqlite::Statement&)>& bind_row, std::size_t event_count,
    const std::function<OutboxEntry(std::size_t)>& event_at);

}  // namespace logistics::aggregate_service::infrastructure
