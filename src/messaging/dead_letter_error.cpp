#include "logistics/messaging/dead_letter_error.hpp"

namespace logistics::messaging {
namespace {

std::string HowResolved(const DeadLetterResolution& resolution) {
  std::string how;
  switch (resolution.outcome) {
    case DeadLetterOutcome::kApplied:
      how = "requeued and applied";
      break;
    case DeadLetterOutcome::kIgnored:
      how = "requeued (the consumer had nothing to do with it)";
      break;
    case DeadLetterOutcome::kAlreadyProcessed:
      how = "requeued (the consumer had processed it since)";
      break;
    case DeadLetterOutcome::kDiscarded:
      how = "discarded";
      break;
  }
  how += " at " + common::FormatRfc3339(resolution.resolved_at);
  if (!resolution.actor.by.empty()) how += " by " + resolution.actor.by;
  if (!resolution.actor.reason.empty()) how += " (reason: " + resolution.actor.reason + ")";
  return how;
}

}  // namespace

ErrorReply DeadLetterErrorReply(const DeadLetterError& error) {
  switch (error.code) {
    case DeadLetterErrorCode::kConsumerNotFound:
      return RejectionReply(404, "CONSUMER_NOT_FOUND", error.message, "consumer");
    case DeadLetterErrorCode::kDeadLetterNotFound:
      return RejectionReply(404, "DEAD_LETTER_NOT_FOUND", error.message, "event_id");
    case DeadLetterErrorCode::kConsumerRequired:
      return RejectionReply(409, "CONSUMER_REQUIRED", error.message, "consumer");
    case DeadLetterErrorCode::kRequeueFailed:
      return RejectionReply(409, "REQUEUE_FAILED", error.message, "event_id");
  }
  return InternalError();  // unreachable: the switch covers every code
}

DeadLetterError ConsumerNotFound(std::string_view service, std::string_view consumer,
                                 std::string_view consumers) {
  std::string message = std::string(service) + " has no consumer " + std::string(consumer);
  message += consumers.empty() ? std::string("; it has no consumers")
                               : "; its consumers: " + std::string(consumers);
  return DeadLetterError{DeadLetterErrorCode::kConsumerNotFound, std::move(message)};
}

DeadLetterError DeadLetterNotFound(std::string_view service, std::string_view consumer,
                                   std::string_view event_id,
                                   const std::optional<DeadLetterResolution>& resolution) {
  const std::string of = resolution ? resolution->consumer
                         : consumer.empty() ? std::string(service)
                                            : std::string(consumer);
  std::string message = "event " + std::string(event_id);
  if (resolution) {
    message += " is no longer a dead letter of " + of + ": " + HowResolved(*resolution);
  } else {
    message += " is not a dead letter of " + of;
  }
  return DeadLetterError{DeadLetterErrorCode::kDeadLetterNotFound, std::move(message)};
}

}  // namespace logistics::messaging
