// The requests of <service>.admin.dead-letters.{list,show,requeue,discard},
// decoded strictly (json/body_reader.hpp: unknown fields and wrong types are
// refused, every problem named in one 400).
//
//   list     {"consumer"?, "limit"? (1-500, default 50), "cursor"?}
//            (an empty body lists every consumer's first page)
//   show     {"event_id", "consumer"?}
//   requeue  {"event_id", "consumer"?, "by"?, "reason"?}
//   discard  {"event_id", "consumer"?, "reason", "by"}   (both required, not blank)
//
// `consumer` may be left out when the event id is a dead letter of one
// consumer only (the usual case: each consumer reads its own stream).
// Limits: event_id 1-512 characters (a malformed event's id is its subject
// and stream sequence), consumer 1-256, by 1-100, reason 1-500.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/json/body_reader.hpp"
#include "logistics/messaging/sqlite_dead_letters.hpp"

namespace logistics::messaging {

inline constexpr std::int64_t kDeadLetterPageDefault = 50;
inline constexpr std::int64_t kDeadLetterPageMax = 500;

struct DeadLetterListRequest {
  std::string consumer;  // "" for every consumer of the service
  std::int64_t limit = kDeadLetterPageDefault;
  std::int64_t after_id = 0;  // from the cursor
};

// One dead letter, by its event id (and consumer, "" for whichever holds it).
struct DeadLetterRef {
  std::string consumer;
  std::string event_id;
};

struct DeadLetterAction {
  DeadLetterRef ref;
  DeadLetterActor actor;
};

common::Result<DeadLetterListRequest, json::BodyError> DecodeDeadLetterList(
    std::string_view body, std::size_t max_bytes = json::kDefaultMaxBodyBytes);
common::Result<DeadLetterRef, json::BodyError> DecodeDeadLetterShow(
    std::string_view body, std::size_t max_bytes = json::kDefaultMaxBodyBytes);
common::Result<DeadLetterAction, json::BodyError> DecodeDeadLetterRequeue(
    std::string_view body, std::size_t max_bytes = json::kDefaultMaxBodyBytes);
common::Result<DeadLetterAction, json::BodyError> DecodeDeadLetterDiscard(
    std::string_view body, std::size_t max_bytes = json::kDefaultMaxBodyBytes);

}  // namespace logistics::messaging
