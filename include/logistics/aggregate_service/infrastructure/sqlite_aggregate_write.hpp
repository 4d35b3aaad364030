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
//       events.size(), [&](std::size_t i) { return OutboxEntry{...}; },
//       metadata.max_event_bytes);
//
// Ownership: borrows everything for the call. Thread-safety: writer thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "logistics/common/port_error.hpp"
#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/messaging/outbox_message.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::aggregate_service::infrastructure {

// How one aggregate type is stored: its table, its id column and its other
// columns in bind order. The INSERT and the versioned UPDATE are built from
// that one list, so they cannot disagree with each other or with the binding:
// both bind the columns as parameters 1..n and the id as n + 1 (=
// row_parameters()); the UPDATE binds the expected previous version as
// row_parameters() + 1.
class AggregateTable {
 public:
  AggregateTable(std::string storage_name, std::string_view table, std::string_view id_column,
                 std::initializer_list<std::string_view> columns);

  const std::string& storage_name() const { return storage_name_; }  // "orders storage"
  const std::string& insert_sql() const { return insert_sql_; }
  const std::string& update_sql() const { return update_sql_; }
  int row_parameters() const { return row_parameters_; }

 private:
  std::string storage_name_;
  std::string insert_sql_;
  std::string update_sql_;
  int row_parameters_ = 0;
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

// The message of a refused write that lost a race, the same for every
// aggregate: "order <id> was changed concurrently; retry the command".
std::string ChangedConcurrently(std::string_view aggregate, std::string_view id);

// Writes the row, then `event_count` events (entry i made by event_at(i),
// only once the row is written). kUniqueKeyTaken and kVersionConflict write
// nothing; a PortError (named after table.storage_name) leaves what was
// written to the caller's rollback. An event that would take more than
// `max_event_bytes` on the wire (EventMetadata::max_event_bytes: the NATS
// server's max_payload) is refused with a PortError of kind kEventTooLarge,
// so the command rolls back rather than commit an event the relay could
// never publish.
common::Result<AggregateWrite, common::PortError> SaveAggregate(
    sqlite::Database& db, const AggregateTable& table, std::int64_t version,
    const std::function<void(sqlite::Statement&)>& bind_row, std::size_t event_count,
    const std::function<OutboxEntry(std::size_t)>& event_at, std::size_t max_event_bytes);

}  // namespace logistics::aggregate_service::infrastructure
