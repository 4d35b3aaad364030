// SqliteParkedEvents: the outbox rows the relay has set aside, and every
// statement that parks, lists, requeues or discards them.
//
// An event the stream keeps refusing for a reason retrying will not fix soon
// (too large for the server, no stream captures its subject, a stream that
// rejects it) is parked after a bounded number of attempts (relay.hpp),
// together with every later unpublished event of the same aggregate, so
// their order holds while the events of other aggregates flow. An aggregate's
// events share their subject up to its last token ("orders.events.<id>."),
// which is how they are found: no column of its own, and rows written before
// parking existed are covered too.
//
// Parked rows survive restarts, are not counted as unpublished, and are never
// deleted by the cleanup (it deletes published rows only). Requeue hands an
// aggregate's parked rows back to the relay, which publishes them in their
// original id order; discard deletes one parked event for good (the caller
// logs who, when and why).
//
// Ownership: borrows a Database. Thread-safety: that of its connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::messaging {

// The aggregate an event subject belongs to: the subject up to and including
// its last '.' ("orders.events.<id>."); the whole subject and a '.' when it
// has no '.'.
std::string AggregateOf(std::string_view subject);

// The subjects of an aggregate as a range [first, past_last): every subject
// that starts with the aggregate's prefix, usable by an index.
struct AggregateRange {
  std::string first;
  std::string past_last;
};
AggregateRange AggregateRangeOf(std::string_view aggregate);

struct ParkedEvent {
  std::int64_t outbox_id = 0;
  std::string event_id;
  std::string subject;
  common::Timestamp created_at;
  common::Timestamp parked_at;
  std::int64_t attempts = 0;
  std::string error;  // the refusal that parked it (last_error)
};

class SqliteParkedEvents {
 public:
  explicit SqliteParkedEvents(sqlite::Database& db) : db_(db) {}

  // Parks the unpublished rows of `aggregate` with id >= from_id; returns how
  // many were parked.
  common::Result<std::int64_t, sqlite::SqliteError> Park(std::string_view aggregate,
                                                         std::int64_t from_id,
                                                         std::string_view reason,
                                                         common::Timestamp now);

  // Up to `limit` parked events with outbox id > after_id, in id order.
  common::Result<std::vector<ParkedEvent>, sqlite::SqliteError> List(std::int64_t after_id,
                                                                     std::size_t limit);
  common::Result<std::optional<ParkedEvent>, sqlite::SqliteError> Find(std::string_view event_id);

  // Hands every parked row of `aggregate` (of every aggregate when empty)
  // back to the relay, attempts reset. Returns the lowest outbox id requeued,
  // nullopt when nothing was parked there.
  common::Result<std::optional<std::int64_t>, sqlite::SqliteError> Requeue(
      std::string_view aggregate);

  // Deletes the parked event; false when no parked event has that id.
  common::Result<bool, sqlite::SqliteError> Discard(std::string_view event_id);

 private:
  common::Result<std::vector<ParkedEvent>, sqlite::SqliteError> Read(sqlite::Statement& select);
  sqlite::Database& db_;
};

}  // namespace logistics::messaging
