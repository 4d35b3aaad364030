// DeadLetterError: how the dead-letter admin endpoints say "no", with stable
// codes like every other endpoint (error_reply.hpp).
//
//   kConsumerNotFound   404 CONSUMER_NOT_FOUND     the service has no such consumer
//   kDeadLetterNotFound 404 DEAD_LETTER_NOT_FOUND  no dead letter with that event id (the
//                                                  message says when and by whom it was
//                                                  requeued or discarded, if it was)
//   kConsumerRequired   409 CONSUMER_REQUIRED      the event id is a dead letter of more
//                                                  than one consumer: name one
//   kRequeueFailed      409 REQUEUE_FAILED         the event failed again; it stays a dead
//                                                  letter with the new error
//
// Malformed requests are 400 (json::BodyError); storage failures answer as
// every endpoint does (PortFailureReply).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "logistics/messaging/error_reply.hpp"
#include "logistics/messaging/sqlite_dead_letters.hpp"

namespace logistics::messaging {

enum class DeadLetterErrorCode {
  kConsumerNotFound,
  kDeadLetterNotFound,
  kConsumerRequired,
  kRequeueFailed,
};

struct DeadLetterError {
  DeadLetterErrorCode code = DeadLetterErrorCode::kDeadLetterNotFound;
  std::string message;
};

// The reply: status, stable code, the message, and a detail naming the field
// concerned (consumer or event_id).
ErrorReply DeadLetterErrorReply(const DeadLetterError& error);

// "orders has no consumer x; its consumers: orders-payments".
DeadLetterError ConsumerNotFound(std::string_view service, std::string_view consumer,
                                 std::string_view consumers);
// "event E is not a dead letter of C" (of `service` when `consumer` is
// empty), or, after a resolution, "event E is no longer a dead letter of C:
// requeued and applied at T by B (reason R)".
DeadLetterError DeadLetterNotFound(std::string_view service, std::string_view consumer,
                                   std::string_view event_id,
                                   const std::optional<DeadLetterResolution>& resolution);

}  // namespace logistics::messaging
