#include "logistics/messaging/sqlite_inbox.hpp"

#include <array>

namespace logistics::messaging {
namespace {

using common::Unexpected;

constexpr std::array<sqlite::Migration, 2> kMigrations{{
    {1, "create inbox and dead letters",
     "CREATE TABLE inbox ("
     " consumer TEXT NOT NULL,"
     " event_id TEXT NOT NULL,"
     " processed_at INTEGER NOT NULL,"
     " PRIMARY KEY (consumer, event_id)) WITHOUT ROWID;"
     "CREATE INDEX inbox_processed_at ON inbox(processed_at);"
     "CREATE TABLE dead_letters ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " consumer TEXT NOT NULL,"
     " event_id TEXT NOT NULL,"
     " subject TEXT NOT NULL,"
     " stream_sequence INTEGER NOT NULL,"
     " deliveries INTEGER NOT NULL,"
     " error TEXT NOT NULL,"
     " payload BLOB NOT NULL,"
     " created_at INTEGER NOT NULL);"
     "CREATE INDEX dead_letters_by_consumer ON dead_letters(consumer, id);"},
    // Operators requeue and discard dead letters (sqlite_dead_letters.hpp).
    // The inbox rows written with the dead letters so far are their marks.
    {2, "dead-letter marks, requeues and resolutions",
     "ALTER TABLE inbox ADD COLUMN dead_lettered INTEGER NOT NULL DEFAULT 0;"
     "UPDATE inbox SET dead_lettered = 1"
     " WHERE (consumer, event_id) IN (SELECT consumer, event_id FROM dead_letters);"
     "ALTER TABLE dead_letters ADD COLUMN requeues INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE dead_letters ADD COLUMN last_requeued_at INTEGER;"
     "CREATE INDEX dead_letters_by_event ON dead_letters(event_id, consumer);"
     "CREATE TABLE dead_letter_resolutions ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " consumer TEXT NOT NULL,"
     " event_id TEXT NOT NULL,"
     " subject TEXT NOT NULL,"
     " outcome TEXT NOT NULL,"
     " resolved_by TEXT NOT NULL,"
     " reason TEXT NOT NULL,"
     " last_error TEXT NOT NULL,"
     " deliveries INTEGER NOT NULL,"
     " requeues INTEGER NOT NULL,"
     " dead_lettered_at INTEGER NOT NULL,"
     " resolved_at INTEGER NOT NULL);"
     "CREATE INDEX dead_letter_resolutions_by_event"
     " ON dead_letter_resolutions(event_id, consumer, id);"},
}};

}  // namespace

std::span<const sqlite::Migration> SqliteInbox::Migrations() { return kMigrations; }

common::Result<bool, sqlite::SqliteError> SqliteInbox::Contains(std::string_view consumer,
                                                                std::string_view event_id) {
  auto select = db_.Prepare("SELECT 1 FROM inbox WHERE consumer = ? AND event_id = ?");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, consumer).Bind(2, event_id);
  return (*select)->Step();
}

common::Result<InboxEntry, sqlite::SqliteError> SqliteInbox::Lookup(std::string_view consumer,
                                                                   std::string_view event_id) {
  auto select = db_.Prepare("SELECT dead_lettered FROM inbox WHERE consumer = ? AND event_id = ?");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, consumer).Bind(2, event_id);
  auto row = (*select)->Step();
  if (!row) return Unexpected{row.error()};
  if (!*row) return InboxEntry::kAbsent;
  return (*select)->ColumnInt64(0) != 0 ? InboxEntry::kDeadLettered : InboxEntry::kProcessed;
}

common::Result<void, sqlite::SqliteError> SqliteInbox::Record(std::string_view consumer,
                                                              std::string_view event_id,
                                                              common::Timestamp now) {
  // A delivery records only what the inbox did not hold; a conflict is a
  // requeued dead letter (its mark becomes the processing) or a harmless repeat.
  auto insert = db_.Prepare(
      "INSERT INTO inbox(consumer, event_id, processed_at) VALUES(?, ?, ?)"
      " ON CONFLICT(consumer, event_id) DO UPDATE SET processed_at = excluded.processed_at,"
      " dead_lettered = 0");
  if (!insert) return Unexpected{insert.error()};
  (*insert)->Bind(1, consumer).Bind(2, event_id).Bind(3, common::ToUnixMillis(now));
  return (*insert)->Run();
}

common::Result<void, sqlite::SqliteError> SqliteInbox::RecordDeadLetter(const DeadLetter& letter,
                                                                        common::Timestamp now) {
  auto insert = db_.Prepare(
      "INSERT INTO dead_letters(consumer, event_id, subject, stream_sequence, deliveries, error,"
      " payload, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return Unexpected{insert.error()};
  (*insert)
      ->Bind(1, letter.consumer)
      .Bind(2, letter.event_id)
      .Bind(3, letter.subject)
      .Bind(4, static_cast<std::int64_t>(letter.stream_sequence))
      .Bind(5, static_cast<std::int64_t>(letter.deliveries))
      .Bind(6, letter.error)
      .Bind(7, letter.payload)
      .Bind(8, common::ToUnixMillis(now));
  if (auto done = (*insert)->Run(); !done) return done;
  auto mark = db_.Prepare(
      "INSERT INTO inbox(consumer, event_id, processed_at, dead_lettered) VALUES(?, ?, ?, 1)"
      " ON CONFLICT(consumer, event_id) DO NOTHING");
  if (!mark) return Unexpected{mark.error()};
  (*mark)->Bind(1, letter.consumer).Bind(2, letter.event_id).Bind(3, common::ToUnixMillis(now));
  return (*mark)->Run();
}

common::Result<std::int64_t, sqlite::SqliteError> SqliteInbox::DeleteProcessedBefore(
    common::Timestamp cutoff, std::int64_t limit) {
  // A bounded batch keeps each writer transaction short. WITHOUT ROWID tables
  // have no rowid, so rows are chosen by their key.
  auto by_key = db_.Prepare(
      "DELETE FROM inbox WHERE (consumer, event_id) IN (SELECT consumer, event_id FROM inbox"
      " WHERE processed_at < ? ORDER BY processed_at LIMIT ?)");
  if (!by_key) return Unexpected{by_key.error()};
  (*by_key)->Bind(1, common::ToUnixMillis(cutoff)).Bind(2, limit);
  if (auto done = (*by_key)->Run(); !done) return Unexpected{done.error()};
  return db_.Changes();
}

common::Result<std::int64_t, sqlite::SqliteError> SqliteInbox::CountDeadLetters(
    std::string_view consumer) {
  auto select = db_.Prepare("SELECT count(*) FROM dead_letters WHERE consumer = ?");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, consumer);
  auto row = (*select)->Step();
  if (!row) return Unexpected{row.error()};
  return (*select)->ColumnInt64(0);
}

}  // namespace logistics::messaging
