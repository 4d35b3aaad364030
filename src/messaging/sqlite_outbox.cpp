#include "logistics/messaging/sqlite_outbox.hpp"

#include <algorithm>
#include <vector>

#include <array>
#include <nlohmann/json.hpp>

#include "logistics/messaging/sqlite_parked_events.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::messaging {
namespace {

using common::Unexpected;

constexpr std::array<sqlite::Migration, 3> kMigrations{{
    {1, "create outbox",
     "CREATE TABLE outbox ("
     " id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " event_id TEXT NOT NULL UNIQUE,"
     " subject TEXT NOT NULL,"
     " headers TEXT NOT NULL,"
     " payload BLOB NOT NULL,"
     " created_at INTEGER NOT NULL,"
     " published_at INTEGER,"
     " attempts INTEGER NOT NULL DEFAULT 0,"
     " last_error TEXT);"
     // The relay's read: the first unpublished rows in id order.
     "CREATE INDEX outbox_unpublished ON outbox(id) WHERE published_at IS NULL;"
     // The cleanup's read: published rows past the re-publish horizon.
     "CREATE INDEX outbox_published_at ON outbox(published_at) WHERE published_at IS NOT NULL;"},
    // Per stream, the last event the stream acknowledged to the relay, so a
    // relay that has just started can tell whether the stream lost events
    // (stream_tail.hpp).
    {2, "create relay_position",
     "CREATE TABLE relay_position ("
     " stream TEXT PRIMARY KEY,"
     " sequence INTEGER NOT NULL,"
     " event_id TEXT NOT NULL,"
     " acknowledged_at INTEGER NOT NULL);"},
    // Parking (sqlite_parked_events.hpp): an event the stream keeps refusing
    // waits aside with the later events of its aggregate. The relay reads
    // unpublished rows that are not parked; the partial index on subject
    // finds an aggregate's parked rows by subject prefix.
    {3, "park outbox rows",
     "ALTER TABLE outbox ADD COLUMN parked_at INTEGER;"
     "DROP INDEX outbox_unpublished;"
     "CREATE INDEX outbox_unpublished ON outbox(id) WHERE published_at IS NULL AND parked_at IS NULL;"
     "CREATE INDEX outbox_parked ON outbox(subject) WHERE parked_at IS NOT NULL;"},
}};

std::string EncodeHeaders(const Headers& headers) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : headers) object[key] = value;
  return object.dump();
}

Headers DecodeHeaders(const std::string& text) {
  Headers headers;
  const auto object = nlohmann::json::parse(text, nullptr, false);
  if (!object.is_object()) return headers;
  for (const auto& [key, value] : object.items()) {
    if (value.is_string()) headers.emplace_back(key, value.get<std::string>());
  }
  return headers;
}

}  // namespace

std::span<const sqlite::Migration> SqliteOutbox::Migrations() { return kMigrations; }

common::PortError ToPortError(std::string_view storage_name, const AppendError& error) {
  if (const auto* too_large = std::get_if<MessageTooLarge>(&error)) {
    return common::PortError{"event " + too_large->event_id + " would take " +
                                 std::to_string(too_large->wire_bytes) +
                                 " bytes on the wire; the NATS server accepts at most " +
                                 std::to_string(too_large->max_bytes),
                             common::PortErrorKind::kEventTooLarge};
  }
  return sqlite::ToPortError(storage_name, std::get<sqlite::SqliteError>(error));
}

common::Result<void, AppendError> SqliteOutbox::Append(const OutboxMessage& message,
                                                       common::Timestamp now,
                                                       std::size_t max_message_bytes) {
  if (const std::size_t wire_bytes = WireSize(message); wire_bytes > max_message_bytes) {
    return Unexpected{MessageTooLarge{message.event_id, wire_bytes, max_message_bytes}};
  }
  if (auto inserted = Insert(message, now); !inserted) return Unexpected{inserted.error()};
  return {};
}

common::Result<void, sqlite::SqliteError> SqliteOutbox::Insert(const OutboxMessage& message,
                                                               common::Timestamp now) {
  // An event of an aggregate whose events are parked is parked too: it may
  // not overtake them (sqlite_parked_events.hpp).
  auto insert = db_.Prepare(
      "INSERT INTO outbox(event_id, subject, headers, payload, created_at, parked_at)"
      " VALUES(?1, ?2, ?3, ?4, ?5, (SELECT ?5 FROM outbox WHERE parked_at IS NOT NULL"
      " AND published_at IS NULL AND subject >= ?6 AND subject < ?7 LIMIT 1))");
  if (!insert) return Unexpected{insert.error()};
  const AggregateRange aggregate = AggregateRangeOf(AggregateOf(message.subject));
  (*insert)
      ->Bind(1, message.event_id)
      .Bind(2, message.subject)
      .Bind(3, EncodeHeaders(message.headers))
      .Bind(4, message.payload)
      .Bind(5, common::ToUnixMillis(now))
      .Bind(6, aggregate.first)
      .Bind(7, aggregate.past_last);
  return (*insert)->Run();
}

common::Result<std::vector<OutboxRow>, sqlite::SqliteError> SqliteOutbox::ReadUnpublished(
    std::int64_t after_id, std::size_t limit) {
  auto select = db_.Prepare(
      "SELECT id, event_id, subject, headers, payload, attempts FROM outbox"
      " WHERE published_at IS NULL AND parked_at IS NULL AND id > ? ORDER BY id LIMIT ?");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, after_id).Bind(2, static_cast<std::int64_t>(limit));
  return ReadRows(**select);
}

common::Result<std::vector<OutboxRow>, sqlite::SqliteError> SqliteOutbox::ReadForRepublish(
    std::int64_t after_id, common::Timestamp published_since, std::size_t limit) {
  // The table holds only unpublished rows and those inside the horizon, so
  // walking it in id order is cheap.
  auto select = db_.Prepare(
      "SELECT id, event_id, subject, headers, payload, attempts FROM outbox"
      " WHERE id > ? AND parked_at IS NULL AND (published_at IS NULL OR published_at >= ?)"
      " ORDER BY id LIMIT ?");
  if (!select) return Unexpected{select.error()};
  (*select)
      ->Bind(1, after_id)
      .Bind(2, common::ToUnixMillis(published_since))
      .Bind(3, static_cast<std::int64_t>(limit));
  return ReadRows(**select);
}

common::Result<std::vector<OutboxRow>, sqlite::SqliteError> SqliteOutbox::ReadRows(
    sqlite::Statement& select) {
  std::vector<OutboxRow> rows;
  for (;;) {
    auto step = select.Step();
    if (!step) return Unexpected{step.error()};
    if (!*step) break;
    const sqlite::Statement& s = select;
    rows.push_back(OutboxRow{
        s.ColumnInt64(0),
        OutboxMessage{s.ColumnText(1), s.ColumnText(2), DecodeHeaders(s.ColumnText(3)),
                      s.ColumnText(4)},
        s.ColumnInt64(5)});
  }
  return rows;
}

common::Result<void, sqlite::SqliteError> SqliteOutbox::MarkPublished(
    std::span<const std::int64_t> ids, common::Timestamp now) {
  // The relay's rounds acknowledge runs of consecutive ids: one statement
  // per run rather than per row.
  auto update = db_.Prepare(
      "UPDATE outbox SET published_at = ? WHERE id BETWEEN ? AND ? AND published_at IS NULL");
  if (!update) return Unexpected{update.error()};
  std::vector<std::int64_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t first = 0; first < sorted.size();) {
    std::size_t last = first;
    while (last + 1 < sorted.size() && sorted[last + 1] <= sorted[last] + 1) ++last;
    (*update)->Bind(1, common::ToUnixMillis(now)).Bind(2, sorted[first]).Bind(3, sorted[last]);
    if (auto done = (*update)->Run(); !done) return done;
    (*update)->Reset();
    first = last + 1;
  }
  return {};
}

common::Result<void, sqlite::SqliteError> SqliteOutbox::RecordFailure(std::int64_t id,
                                                                      std::string_view error) {
  auto update =
      db_.Prepare("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?");
  if (!update) return Unexpected{update.error()};
  (*update)->Bind(1, error).Bind(2, id);
  return (*update)->Run();
}

common::Result<std::int64_t, sqlite::SqliteError> SqliteOutbox::DeletePublishedBefore(
    common::Timestamp cutoff, std::int64_t limit) {
  // A bounded batch keeps each writer transaction short however far behind
  // the cleanup is.
  auto remove = db_.Prepare(
      "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
      " WHERE published_at IS NOT NULL AND published_at < ? ORDER BY published_at LIMIT ?)");
  if (!remove) return Unexpected{remove.error()};
  (*remove)->Bind(1, common::ToUnixMillis(cutoff)).Bind(2, limit);
  if (auto done = (*remove)->Run(); !done) return Unexpected{done.error()};
  return db_.Changes();
}

common::Result<OutboxStats, sqlite::SqliteError> SqliteOutbox::Stats() {
  OutboxStats stats;
  auto pending = db_.Prepare(
      "SELECT count(*) FILTER (WHERE parked_at IS NULL),"
      " min(created_at) FILTER (WHERE parked_at IS NULL),"
      " count(*) FILTER (WHERE parked_at IS NOT NULL), min(parked_at)"
      " FROM outbox WHERE published_at IS NULL");
  if (!pending) return Unexpected{pending.error()};
  auto row = (*pending)->Step();
  if (!row) return Unexpected{row.error()};
  stats.unpublished = (*pending)->ColumnInt64(0);
  if (auto oldest = (*pending)->ColumnOptionalInt64(1)) {
    stats.oldest_unpublished_created_at = common::FromUnixMillis(*oldest);
  }
  stats.parked = (*pending)->ColumnInt64(2);
  if (auto first = (*pending)->ColumnOptionalInt64(3)) {
    stats.first_parked_at = common::FromUnixMillis(*first);
  }
  auto last = LastId();
  if (!last) return Unexpected{last.error()};
  stats.last_id = *last;
  return stats;
}

common::Result<std::int64_t, sqlite::SqliteError> SqliteOutbox::LastId() {
  // sqlite_sequence holds AUTOINCREMENT's high-water mark, even for deleted rows.
  auto last = db_.Prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'");
  if (!last) return Unexpected{last.error()};
  auto row = (*last)->Step();
  if (!row) return Unexpected{row.error()};
  return *row ? (*last)->ColumnInt64(0) : std::int64_t{0};
}

common::Result<void, sqlite::SqliteError> SqliteOutbox::RecordAcknowledged(
    std::span<const AcknowledgedPosition> positions, common::Timestamp now) {
  auto upsert = db_.Prepare(
      "INSERT INTO relay_position(stream, sequence, event_id, acknowledged_at) VALUES(?, ?, ?, ?)"
      " ON CONFLICT(stream) DO UPDATE SET sequence = excluded.sequence,"
      " event_id = excluded.event_id, acknowledged_at = excluded.acknowledged_at");
  if (!upsert) return Unexpected{upsert.error()};
  for (const AcknowledgedPosition& position : positions) {
    (*upsert)
        ->Bind(1, position.stream)
        .Bind(2, static_cast<std::int64_t>(position.sequence))
        .Bind(3, position.event_id)
        .Bind(4, common::ToUnixMillis(now));
    if (auto done = (*upsert)->Run(); !done) return done;
    (*upsert)->Reset();
  }
  return {};
}

common::Result<std::vector<AcknowledgedPosition>, sqlite::SqliteError>
SqliteOutbox::ReadAcknowledged() {
  auto select = db_.Prepare("SELECT stream, sequence, event_id FROM relay_position ORDER BY stream");
  if (!select) return Unexpected{select.error()};
  std::vector<AcknowledgedPosition> positions;
  for (;;) {
    auto step = (*select)->Step();
    if (!step) return Unexpected{step.error()};
    if (!*step) break;
    const sqlite::Statement& row = **select;
    positions.push_back(AcknowledgedPosition{row.ColumnText(0),
                                             static_cast<std::uint64_t>(row.ColumnInt64(1)),
                                             row.ColumnText(2)});
  }
  return positions;
}

}  // namespace logistics::messaging
