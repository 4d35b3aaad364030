// SqliteOutbox: the outbox table, and every SQL statement that touches it.
//
//   outbox(id INTEGER PRIMARY KEY AUTOINCREMENT, event_id UNIQUE, subject,
//          headers (JSON object), payload, created_at, published_at NULL,
//          attempts, last_error, parked_at NULL)
//   relay_position(stream PRIMARY KEY, sequence, event_id, acknowledged_at)
//
// Services append rows inside the transaction that changes their aggregates
// (through the writer), so a row exists exactly when its change committed.
// AUTOINCREMENT never reuses an id, even after old rows are deleted, and
// SQLite admits one writer at a time, so id order is commit order: the relay
// publishes in id order and never has to reason about gaps.
//
// A row is appended only if the relay can publish it: Append refuses a
// message that would take more bytes on the wire than the NATS server accepts
// (its max_payload), before anything is written, so the command or event that
// caused it rolls back instead of committing an event the relay would retry
// forever, with every later event of the service waiting behind it.
//
// Parked rows (sqlite_parked_events.hpp, which owns the statements that park,
// list, requeue and discard them) are neither read by the relay nor counted as
// unpublished, and never deleted by the cleanup; a row appended for an
// aggregate whose events are parked is parked at once.
//
// Ownership: borrows a Database, which must outlive it. Thread-safety: that of
// its connection (one thread at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "logistics/common/port_error.hpp"
#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/messaging/outbox_message.hpp"
#include "logistics/messaging/stream_tail.hpp"
#include "logistics/sqlite/database.hpp"
#include "logistics/sqlite/migrations.hpp"

namespace logistics::messaging {

// Append's refusal: the message would not fit in what the server accepts.
struct MessageTooLarge {
  std::string event_id;
  std::size_t wire_bytes = 0;  // WireSize(message)
  std::size_t max_bytes = 0;   // the limit it exceeds
};

// Why Append wrote nothing.
using AppendError = std::variant<MessageTooLarge, sqlite::SqliteError>;

// The PortError a caller reports for an AppendError: kEventTooLarge for
// MessageTooLarge, else the storage error's (sqlite::ToPortError, named after
// `storage_name`).
common::PortError ToPortError(std::string_view storage_name, const AppendError& error);

struct OutboxRow {
  std::int64_t id = 0;
  OutboxMessage message;
  std::int64_t attempts = 0;
};

struct OutboxStats {
  std::int64_t unpublished = 0;  // rows waiting for a PubAck (not parked)
  std::optional<common::Timestamp> oldest_unpublished_created_at;  // of those
  std::int64_t parked = 0;  // rows parked (sqlite_parked_events.hpp)
  std::optional<common::Timestamp> first_parked_at;
  std::int64_t last_id = 0;  // highest id ever assigned (0 when none)
};

class SqliteOutbox {
 public:
  explicit SqliteOutbox(sqlite::Database& db) : db_(db) {}

  // Component "outbox" of the schema_version table.
  static std::span<const sqlite::Migration> Migrations();

  // Appends a row, unless the message would take more than
  // `max_message_bytes` on the wire (WireSize; pass the server's max_payload):
  // then MessageTooLarge, and nothing is written. Fails with a SqliteError on
  // a duplicate event id or a storage error.
  common::Result<void, AppendError> Append(const OutboxMessage& message, common::Timestamp now,
                                           std::size_t max_message_bytes);

  // Up to `limit` unpublished rows with id > after_id that are not parked, in
  // id order.
  common::Result<std::vector<OutboxRow>, sqlite::SqliteError> ReadUnpublished(std::int64_t after_id,
                                                                              std::size_t limit);

  // Up to `limit` rows with id > after_id that are unpublished or were
  // published at or after `published_since`, in id order: what the relay
  // re-publishes when the server may have lost acknowledged events.
  common::Result<std::vector<OutboxRow>, sqlite::SqliteError> ReadForRepublish(
      std::int64_t after_id, common::Timestamp published_since, std::size_t limit);

  // Marks the rows published (rows already marked keep their first time).
  common::Result<void, sqlite::SqliteError> MarkPublished(std::span<const std::int64_t> ids,
                                                          common::Timestamp now);

  // Counts a failed attempt on a row and keeps the error for operators.
  common::Result<void, sqlite::SqliteError> RecordFailure(std::int64_t id, std::string_view error);

  // Deletes up to `limit` rows published before `cutoff`; returns how many.
  common::Result<std::int64_t, sqlite::SqliteError> DeletePublishedBefore(common::Timestamp cutoff,
                                                                          std::int64_t limit);

  // Records, per stream, the last event it acknowledged (replacing what was
  // recorded: after a stream lost events, its sequences start lower again).
  common::Result<void, sqlite::SqliteError> RecordAcknowledged(
      std::span<const AcknowledgedPosition> positions, common::Timestamp now);
  // What RecordAcknowledged recorded, one position per stream.
  common::Result<std::vector<AcknowledgedPosition>, sqlite::SqliteError> ReadAcknowledged();

  common::Result<OutboxStats, sqlite::SqliteError> Stats();
  // The highest id ever assigned (AUTOINCREMENT's high-water mark, which
  // survives the deletion of published rows); 0 when none.
  common::Result<std::int64_t, sqlite::SqliteError> LastId();

 private:
  common::Result<void, sqlite::SqliteError> Insert(const OutboxMessage& message,
                                                   common::Timestamp now);
  common::Result<std::vector<OutboxRow>, sqlite::SqliteError> ReadRows(sqlite::Statement& select);
  sqlite::Database& db_;
};

}  // namespace logistics::messaging
