#include "logistics/aggregate_service/infrastructure/sqlite_aggregate_write.hpp"

#include <sqlite3.h>

#include "logistics/messaging/sqlite_outbox.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::aggregate_service::infrastructure {

AggregateTable::AggregateTable(std::string storage_name, std::string_view table,
                               std::string_view id_column,
                               std::initializer_list<std::string_view> columns)
    : storage_name_(std::move(storage_name)), row_parameters_(static_cast<int>(columns.size()) + 1) {
  std::string names;
  std::string placeholders;
  std::string assignments;
  for (const std::string_view column : columns) {
    names.append(column).append(", ");
    placeholders.append("?, ");
    assignments.append(column).append(" = ?, ");
  }
  assignments.resize(assignments.size() - 2);
  const std::string table_name(table);
  const std::string id(id_column);
  insert_sql_ = "INSERT INTO " + table_name + "(" + names + id + ") VALUES(" + placeholders + "?)";
  update_sql_ = "UPDATE " + table_name + " SET " + assignments + " WHERE " + id +
                " = ? AND version = ?";
}

std::string ChangedConcurrently(std::string_view aggregate, std::string_view id) {
  return std::string(aggregate) + " " + std::string(id) +
         " was changed concurrently; retry the command";
}

common::Result<AggregateWrite, common::PortError> SaveAggregate(
    sqlite::Database& db, const AggregateTable& table, std::int64_t version,
    const std::function<void(sqlite::Statement&)>& bind_row, std::size_t event_count,
    const std::function<OutboxEntry(std::size_t)>& event_at, std::size_t max_event_bytes) {
  auto failed = [&table](const sqlite::SqliteError& error) {
    return common::Unexpected{sqlite::ToPortError(table.storage_name(), error)};
  };
  const bool inserting = version == 1;
  auto statement = db.Prepare(inserting ? table.insert_sql() : table.update_sql());
  if (!statement) return failed(statement.error());
  bind_row(**statement);
  if (!inserting) (*statement)->Bind(table.row_parameters() + 1, version - 1);
  if (auto done = (*statement)->Run(); !done) {
    // The id is the primary key: meeting it means the aggregate is stored
    // already, which is a stale version 1, not a clash of another key.
    if (inserting && done.error().extended_code == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return AggregateWrite::kVersionConflict;
    }
    if (inserting && done.error().IsUniqueViolation()) return AggregateWrite::kUniqueKeyTaken;
    return failed(done.error());
  }
  if (!inserting && db.Changes() != 1) return AggregateWrite::kVersionConflict;

  messaging::SqliteOutbox outbox(db);
  for (std::size_t i = 0; i < event_count; ++i) {
    const OutboxEntry entry = event_at(i);
    if (auto appended = outbox.Append(entry.message, entry.occurred_at, max_event_bytes);
        !appended) {
      return common::Unexpected{messaging::ToPortError(table.storage_name(), appended.error())};
    }
  }
  return AggregateWrite::kSaved;
}

}  // namespace logistics::aggregate_service::infrastructure
