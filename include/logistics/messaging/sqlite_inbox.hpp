// SqliteInbox: which events each consumer has processed, and the dead letters.
//
//   inbox(consumer, event_id, processed_at)  PRIMARY KEY (consumer, event_id)
//   dead_letters(id, consumer, event_id, subject, stream_sequence, deliveries,
//                error, payload, created_at)
//
// A consumer writes an event's inbox row in the same transaction as the
// event's effects, so a redelivered event finds its row and is acknowledged
// with no second effect. An event that cannot be processed is recorded as a
// dead letter (with its inbox row, so it is not retried) for an operator to
// inspect. Inbox rows older than the retention are deleted in small batches.
//
// Ownership: borrows a Database. Thread-safety: that of the connection (the
// writer's thread).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/sqlite/database.hpp"
#include "logistics/sqlite/migrations.hpp"

namespace logistics::messaging {

struct DeadLetter {
  std::string consumer;
  std::string event_id;
  std::string subject;
  std::uint64_t stream_sequence = 0;
  std::uint64_t deliveries = 0;
  std::string error;
  std::string payload;
};

class SqliteInbox {
 public:
  explicit SqliteInbox(sqlite::Database& db) : db_(db) {}

  // Component "inbox" of the schema_version table.
  static std::span<const sqlite::Migration> Migrations();

  common::Result<bool, sqlite::SqliteError> Contains(std::string_view consumer,
                                                     std::string_view event_id);
  common::Result<void, sqlite::SqliteError> Record(std::string_view consumer,
                                                   std::string_view event_id,
                                                   common::Timestamp now);
  common::Result<void, sqlite::SqliteError> RecordDeadLetter(const DeadLetter& letter,
                                                             common::Timestamp now);
  // Deletes up to `limit` inbox rows processed before `cutoff`; returns how many.
  common::Result<std::int64_t, sqlite::SqliteError> DeleteProcessedBefore(common::Timestamp cutoff,
                                                                          std::int64_t limit);
  common::Result<std::int64_t, sqlite::SqliteError> CountDeadLetters(std::string_view consumer);

 private:
  sqlite::Database& db_;
};

}  // namespace logistics::messaging
