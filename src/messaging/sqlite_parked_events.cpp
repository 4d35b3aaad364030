#include "logistics/messaging/sqlite_parked_events.hpp"

namespace logistics::messaging {
namespace {

using common::Unexpected;

constexpr const char* kColumns =
    "id, event_id, subject, created_at, parked_at, attempts, coalesce(last_error, '')";

}  // namespace

std::string AggregateOf(std::string_view subject) {
  const std::size_t last_dot = subject.rfind('.');
  if (last_dot == std::string_view::npos) return std::string(subject) + ".";
  return std::string(subject.substr(0, last_dot + 1));
}

AggregateRange AggregateRangeOf(std::string_view aggregate) {
  // Every subject that starts with the prefix sorts at or after it and
  // before the prefix whose last character is the next one ('.' + 1 = '/').
  AggregateRange range{std::string(aggregate), std::string(aggregate)};
  if (!range.past_last.empty()) {
    range.past_last.back() = static_cast<char>(range.past_last.back() + 1);
  }
  return range;
}

common::Result<std::int64_t, sqlite::SqliteError> SqliteParkedEvents::Park(
    std::string_view aggregate, std::int64_t from_id, std::string_view reason,
    common::Timestamp now) {
  auto update = db_.Prepare(
      "UPDATE outbox SET parked_at = ?, last_error = coalesce(last_error, ?)"
      " WHERE published_at IS NULL AND parked_at IS NULL AND id >= ? AND subject >= ?"
      " AND subject < ?");
  if (!update) return Unexpected{update.error()};
  const AggregateRange range = AggregateRangeOf(aggregate);
  (*update)
      ->Bind(1, common::ToUnixMillis(now))
      .Bind(2, reason)
      .Bind(3, from_id)
      .Bind(4, range.first)
      .Bind(5, range.past_last);
  if (auto done = (*update)->Run(); !done) return Unexpected{done.error()};
  return db_.Changes();
}

common::Result<std::vector<ParkedEvent>, sqlite::SqliteError> SqliteParkedEvents::List(
    std::int64_t after_id, std::size_t limit) {
  auto select = db_.Prepare(std::string("SELECT ") + kColumns +
                            " FROM outbox WHERE parked_at IS NOT NULL AND published_at IS NULL"
                            " AND id > ? ORDER BY id LIMIT ?");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, after_id).Bind(2, static_cast<std::int64_t>(limit));
  return Read(**select);
}

common::Result<std::optional<ParkedEvent>, sqlite::SqliteError> SqliteParkedEvents::Find(
    std::string_view event_id) {
  auto select = db_.Prepare(std::string("SELECT ") + kColumns +
                            " FROM outbox WHERE parked_at IS NOT NULL AND published_at IS NULL"
                            " AND event_id = ?");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, event_id);
  auto found = Read(**select);
  if (!found) return Unexpected{found.error()};
  if (found->empty()) return std::optional<ParkedEvent>();
  return std::optional<ParkedEvent>(std::move(found->front()));
}

common::Result<std::optional<std::int64_t>, sqlite::SqliteError> SqliteParkedEvents::Requeue(
    std::string_view aggregate) {
  const AggregateRange range =
      aggregate.empty() ? AggregateRange{"", "\x7f"} : AggregateRangeOf(aggregate);
  auto lowest = db_.Prepare(
      "SELECT min(id) FROM outbox WHERE parked_at IS NOT NULL AND published_at IS NULL"
      " AND subject >= ? AND subject < ?");
  if (!lowest) return Unexpected{lowest.error()};
  (*lowest)->Bind(1, range.first).Bind(2, range.past_last);
  auto row = (*lowest)->Step();
  if (!row) return Unexpected{row.error()};
  const std::optional<std::int64_t> first = (*lowest)->ColumnOptionalInt64(0);
  if (!first) return first;
  auto update = db_.Prepare(
      "UPDATE outbox SET parked_at = NULL, attempts = 0 WHERE parked_at IS NOT NULL"
      " AND published_at IS NULL AND subject >= ? AND subject < ?");
  if (!update) return Unexpected{update.error()};
  (*update)->Bind(1, range.first).Bind(2, range.past_last);
  if (auto done = (*update)->Run(); !done) return Unexpected{done.error()};
  return first;
}

common::Result<bool, sqlite::SqliteError> SqliteParkedEvents::Discard(std::string_view event_id) {
  auto remove = db_.Prepare(
      "DELETE FROM outbox WHERE event_id = ? AND parked_at IS NOT NULL AND published_at IS NULL");
  if (!remove) return Unexpected{remove.error()};
  (*remove)->Bind(1, event_id);
  if (auto done = (*remove)->Run(); !done) return Unexpected{done.error()};
  return db_.Changes() == 1;
}

common::Result<std::vector<ParkedEvent>, sqlite::SqliteError> SqliteParkedEvents::Read(
    sqlite::Statement& select) {
  std::vector<ParkedEvent> events;
  for (;;) {
    auto step = select.Step();
    if (!step) return Unexpected{step.error()};
    if (!*step) break;
    const sqlite::Statement& s = select;
    events.push_back(ParkedEvent{s.ColumnInt64(0), s.ColumnText(1), s.ColumnText(2),
                                 common::FromUnixMillis(s.ColumnInt64(3)),
                                 common::FromUnixMillis(s.ColumnInt64(4)), s.ColumnInt64(5),
                                 s.ColumnText(6)});
  }
  return events;
}

}  // namespace logistics::messaging
