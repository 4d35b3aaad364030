// SqliteInbox: which events each consumer has processed, and the dead letters.
//
//   inbox(consumer, event_id, processed_at, dead_lettered)
//                                     PRIMARY KEY (consumer, event_id)
//   dead_letters(id, consumer, event_id, subject, stream_sequence, deliveries,
//                error, payload, created_at, requeues, last_requeued_at)
//   dead_letter_resolutions(...)      what operators did with dead letters
//                                     (sqlite_dead_letters.hpp)
//
// A consumer writes an event's inbox row in the same transaction as the
// event's effects, so a redelivered event finds its row and is acknowledged
// with no second effect. An event that cannot be processed is recorded as a
// dead letter for an operator to inspect, with an inbox row marked
// `dead_lettered`: a redelivery is skipped like a processed event's, but an
// operator's requeue (EventConsumer::Requeue) can tell the mark from a
// processing and runs the event once. Inbox rows older than the retention
// are deleted in small batches (a dead letter's mark too: a dead letter
// older than the inbox retention is then redelivered like any new event).
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

// What the inbox holds for one consumer and event.
enum class InboxEntry {
  kAbsent,        // never processed (or forgotten after the retention)
  kProcessed,     // processed: its effects are stored
  kDeadLettered,  // a dead letter's mark: not processed, but not to be retried either
};

class SqliteInbox {
 public:
  explicit SqliteInbox(sqlite::Database& db) : db_(db) {}

  // Component "inbox" of the schema_version table.
  static std::span<const sqlite::Migration> Migrations();

  // True for a processed event and for a dead letter's mark: what a
  // delivery must skip.
  common::Result<bool, sqlite::SqliteError> Contains(std::string_view consumer,
                                                     std::string_view event_id);
  common::Result<InboxEntry, sqlite::SqliteError> Lookup(std::string_view consumer,
                                                         std::string_view event_id);
  // Records the event as processed at `now` (a dead letter's mark becomes a
  // processing: its requeue applied it).
  common::Result<void, sqlite::SqliteError> Record(std::string_view consumer,
                                                   std::string_view event_id,
                                                   common::Timestamp now);
  // Records the dead letter and its inbox mark.
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
