#include "logistics/messaging/sqlite_dead_letters.hpp"

namespace logistics::messaging {
namespace {

using common::Unexpected;

constexpr std::string_view kColumns =
    "id, consumer, event_id, subject, stream_sequence, deliveries, error, payload, created_at,"
    " requeues, last_requeued_at";

StoredDeadLetter ReadDeadLetter(const sqlite::Statement& row) {
  StoredDeadLetter letter;
  letter.id = row.ColumnInt64(0);
  letter.consumer = row.ColumnText(1);
  letter.event_id = row.ColumnText(2);
  letter.subject = row.ColumnText(3);
  letter.stream_sequence = static_cast<std::uint64_t>(row.ColumnInt64(4));
  letter.deliveries = static_cast<std::uint64_t>(row.ColumnInt64(5));
  letter.error = row.ColumnText(6);
  letter.payload = row.ColumnText(7);
  letter.dead_lettered_at = common::FromUnixMillis(row.ColumnInt64(8));
  letter.requeues = row.ColumnInt64(9);
  if (const auto at = row.ColumnOptionalInt64(10)) {
    letter.last_requeued_at = common::FromUnixMillis(*at);
  }
  return letter;
}

std::optional<DeadLetterOutcome> OutcomeNamed(std::string_view name) {
  for (const auto outcome : {DeadLetterOutcome::kApplied, DeadLetterOutcome::kIgnored,
                             DeadLetterOutcome::kAlreadyProcessed, DeadLetterOutcome::kDiscarded}) {
    if (DeadLetterOutcomeName(outcome) == name) return outcome;
  }
  return std::nullopt;
}

}  // namespace

std::string_view DeadLetterOutcomeName(DeadLetterOutcome outcome) {
  switch (outcome) {
    case DeadLetterOutcome::kApplied:
      return "applied";
    case DeadLetterOutcome::kIgnored:
      return "ignored";
    case DeadLetterOutcome::kAlreadyProcessed:
      return "already_processed";
    case DeadLetterOutcome::kDiscarded:
      return "discarded";
  }
  return "unknown";  // unreachable: the switch covers every outcome
}

common::Result<std::vector<StoredDeadLetter>, sqlite::SqliteError> SqliteDeadLetters::Page(
    std::string_view consumer, std::int64_t after_id, std::int64_t limit) {
  auto select = db_.Prepare("SELECT " + std::string(kColumns) +
                            " FROM dead_letters WHERE (?1 = '' OR consumer = ?1) AND id > ?2"
                            " ORDER BY id LIMIT ?3");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, consumer).Bind(2, after_id).Bind(3, limit);
  std::vector<StoredDeadLetter> page;
  for (;;) {
    auto row = (*select)->Step();
    if (!row) return Unexpected{row.error()};
    if (!*row) break;
    page.push_back(ReadDeadLetter(**select));
  }
  return page;
}

common::Result<std::optional<StoredDeadLetter>, sqlite::SqliteError> SqliteDeadLetters::Find(
    std::string_view consumer, std::string_view event_id) {
  auto select = db_.Prepare("SELECT " + std::string(kColumns) +
                            " FROM dead_letters WHERE event_id = ? AND consumer = ?"
                            " ORDER BY id DESC LIMIT 1");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, event_id).Bind(2, consumer);
  auto row = (*select)->Step();
  if (!row) return Unexpected{row.error()};
  if (!*row) return std::optional<StoredDeadLetter>();
  return std::optional<StoredDeadLetter>(ReadDeadLetter(**select));
}

common::Result<std::vector<std::string>, sqlite::SqliteError> SqliteDeadLetters::ConsumersHolding(
    std::string_view event_id, std::int64_t limit) {
  auto select = db_.Prepare(
      "SELECT DISTINCT consumer FROM dead_letters WHERE event_id = ? ORDER BY consumer LIMIT ?");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, event_id).Bind(2, limit);
  std::vector<std::string> consumers;
  for (;;) {
    auto row = (*select)->Step();
    if (!row) return Unexpected{row.error()};
    if (!*row) break;
    consumers.push_back((*select)->ColumnText(0));
  }
  return consumers;
}

common::Result<void, sqlite::SqliteError> SqliteDeadLetters::Resolve(
    const StoredDeadLetter& letter, DeadLetterOutcome outcome, const DeadLetterActor& actor,
    common::Timestamp now) {
  auto insert = db_.Prepare(
      "INSERT INTO dead_letter_resolutions(consumer, event_id, subject, outcome, resolved_by,"
      " reason, last_error, deliveries, requeues, dead_lettered_at, resolved_at)"
      " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return Unexpected{insert.error()};
  (*insert)
      ->Bind(1, letter.consumer)
      .Bind(2, letter.event_id)
      .Bind(3, letter.subject)
      .Bind(4, DeadLetterOutcomeName(outcome))
      .Bind(5, actor.by)
      .Bind(6, actor.reason)
      .Bind(7, letter.error)
      .Bind(8, static_cast<std::int64_t>(letter.deliveries))
      .Bind(9, letter.requeues)
      .Bind(10, common::ToUnixMillis(letter.dead_lettered_at))
      .Bind(11, common::ToUnixMillis(now));
  if (auto done = (*insert)->Run(); !done) return done;
  auto remove = db_.Prepare("DELETE FROM dead_letters WHERE event_id = ? AND consumer = ?");
  if (!remove) return Unexpected{remove.error()};
  (*remove)->Bind(1, letter.event_id).Bind(2, letter.consumer);
  return (*remove)->Run();
}

common::Result<void, sqlite::SqliteError> SqliteDeadLetters::RecordFailedRequeue(
    std::string_view consumer, std::string_view event_id, std::string_view error,
    common::Timestamp now) {
  auto update = db_.Prepare(
      "UPDATE dead_letters SET error = ?, requeues = requeues + 1, last_requeued_at = ?"
      " WHERE event_id = ? AND consumer = ?");
  if (!update) return Unexpected{update.error()};
  (*update)->Bind(1, error).Bind(2, common::ToUnixMillis(now)).Bind(3, event_id).Bind(4, consumer);
  return (*update)->Run();
}

common::Result<std::optional<DeadLetterResolution>, sqlite::SqliteError>
SqliteDeadLetters::LastResolution(std::string_view consumer, std::string_view event_id) {
  auto select = db_.Prepare(
      "SELECT consumer, event_id, subject, outcome, resolved_by, reason, last_error, deliveries,"
      " requeues, dead_lettered_at, resolved_at FROM dead_letter_resolutions"
      " WHERE event_id = ?1 AND (?2 = '' OR consumer = ?2) ORDER BY id DESC LIMIT 1");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, event_id).Bind(2, consumer);
  auto row = (*select)->Step();
  if (!row) return Unexpected{row.error()};
  if (!*row) return std::optional<DeadLetterResolution>();
  const sqlite::Statement& found = **select;
  DeadLetterResolution resolution;
  resolution.consumer = found.ColumnText(0);
  resolution.event_id = found.ColumnText(1);
  resolution.subject = found.ColumnText(2);
  // Written by Resolve only, so always a known name.
  resolution.outcome = OutcomeNamed(found.ColumnText(3)).value_or(DeadLetterOutcome::kDiscarded);
  resolution.actor = DeadLetterActor{found.ColumnText(4), found.ColumnText(5)};
  resolution.last_error = found.ColumnText(6);
  resolution.deliveries = static_cast<std::uint64_t>(found.ColumnInt64(7));
  resolution.requeues = found.ColumnInt64(8);
  resolution.dead_lettered_at = common::FromUnixMillis(found.ColumnInt64(9));
  resolution.resolved_at = common::FromUnixMillis(found.ColumnInt64(10));
  return std::optional<DeadLetterResolution>(std::move(resolution));
}

}  // namespace logistics::messaging
