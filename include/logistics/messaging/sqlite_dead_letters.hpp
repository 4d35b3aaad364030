// SqliteDeadLetters: the dead letters of a service's consumers as operators
// see them, and what operators did with them.
//
//   dead_letters             one row per dead-lettered event (written by the
//                            consumer through SqliteInbox::RecordDeadLetter)
//   dead_letter_resolutions  one row per dead letter an operator requeued
//                            successfully or discarded: who, when, why, and
//                            with what outcome (kept; a few rows per incident)
//
// A dead letter is named by its consumer and event id (the CloudEvent id the
// inbox knows it by). Should one event have been dead-lettered twice by the
// same consumer (its inbox mark had expired and a replay failed again), Find
// returns the newest row and Resolve removes them all.
//
// The schema is SqliteInbox's (component "inbox", migration 2).
//
// Ownership: borrows a Database. Thread-safety: that of the connection: the
// writer's thread for Resolve and RecordFailedRequeue, any read connection
// for the rest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::messaging {

struct StoredDeadLetter {
  std::int64_t id = 0;  // the row's, for keyset paging
  std::string consumer;
  std::string event_id;
  std::string subject;
  std::uint64_t stream_sequence = 0;
  std::uint64_t deliveries = 0;
  std::string error;  // the last failure: the consumer's, or the last requeue's
  std::string payload;
  common::Timestamp dead_lettered_at{};
  std::int64_t requeues = 0;  // requeues that failed again
  std::optional<common::Timestamp> last_requeued_at;
};

// How a dead letter stopped being one.
enum class DeadLetterOutcome {
  kApplied,           // requeued: the handler applied it
  kIgnored,           // requeued: the handler had nothing to do with it
  kAlreadyProcessed,  // requeued: the consumer had processed it since (a replay)
  kDiscarded,         // discarded by an operator
};

// The wire name: "applied", "ignored", "already_processed", "discarded".
std::string_view DeadLetterOutcomeName(DeadLetterOutcome outcome);

// Who asked, and why (either may be empty for a requeue).
struct DeadLetterActor {
  std::string by;
  std::string reason;
};

struct DeadLetterResolution {
  std::string consumer;
  std::string event_id;
  std::string subject;
  DeadLetterOutcome outcome = DeadLetterOutcome::kDiscarded;
  DeadLetterActor actor;
  std::string last_error;
  std::uint64_t deliveries = 0;
  std::int64_t requeues = 0;
  common::Timestamp dead_lettered_at{};
  common::Timestamp resolved_at{};
};

class SqliteDeadLetters {
 public:
  explicit SqliteDeadLetters(sqlite::Database& db) : db_(db) {}

  // Up to `limit` dead letters after row `after_id`, oldest first; of one
  // consumer, or of all when `consumer` is empty.
  common::Result<std::vector<StoredDeadLetter>, sqlite::SqliteError> Page(
      std::string_view consumer, std::int64_t after_id, std::int64_t limit);
  // The newest dead letter of `consumer` with this event id; nullopt when
  // there is none.
  common::Result<std::optional<StoredDeadLetter>, sqlite::SqliteError> Find(
      std::string_view consumer, std::string_view event_id);
  // The consumers holding a dead letter with this event id (at most `limit`).
  common::Result<std::vector<std::string>, sqlite::SqliteError> ConsumersHolding(
      std::string_view event_id, std::int64_t limit);

  // Removes every dead letter of `letter`'s consumer and event id and records
  // the resolution (`outcome`, `actor`, `now`) with the letter's facts.
  common::Result<void, sqlite::SqliteError> Resolve(const StoredDeadLetter& letter,
                                                    DeadLetterOutcome outcome,
                                                    const DeadLetterActor& actor,
                                                    common::Timestamp now);
  // A requeue failed again: the dead letters of the consumer and event id get
  // `error` as their error, one more requeue and `now` as its time.
  common::Result<void, sqlite::SqliteError> RecordFailedRequeue(std::string_view consumer,
                                                                std::string_view event_id,
                                                                std::string_view error,
                                                                common::Timestamp now);
  // The latest resolution of an event id (of `consumer`, or of any consumer
  // when it is empty); nullopt when there is none.
  common::Result<std::optional<DeadLetterResolution>, sqlite::SqliteError> LastResolution(
      std::string_view consumer, std::string_view event_id);

 private:
  sqlite::Database& db_;
};

}  // namespace logistics::messaging
