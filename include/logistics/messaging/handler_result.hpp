// HandlerResult: what a consumer's handler (or its side effect) made of one
// event. The consumer settles the event by it (consumer_settlement.hpp).
//
//   kApplied  effects kept, inbox row written, ack;
//   kIgnored  not for us (another event type): ack, no inbox row needed;
//   kRetry    a transient failure: effects rolled back, redelivered with
//             backoff; on the last allowed delivery, a dead letter instead;
//   kReject   the event can never be processed (malformed): dead letter now;
//   kWait     the event needs state another stream brings and it is not here
//             yet (notifications mailing a refund before its ORDERS
//             projection has the order). Not a failure: the event is held
//             without spending a delivery, and tried again, until the
//             dependency arrives or the dependency wait runs out.
//
// Thread-safety: a plain value.
#pragma once

#include <string>
#include <utility>

namespace logistics::messaging {

struct HandlerResult {
  enum class Kind { kApplied, kIgnored, kRetry, kReject, kWait };
  Kind kind = Kind::kApplied;
  std::string error;  // why, for kRetry, kReject and kWait

  static HandlerResult Applied() { return {Kind::kApplied, {}}; }
  static HandlerResult Ignored() { return {Kind::kIgnored, {}}; }
  static HandlerResult Retry(std::string why) { return {Kind::kRetry, std::move(why)}; }
  static HandlerResult Reject(std::string why) { return {Kind::kReject, std::move(why)}; }
  static HandlerResult Wait(std::string why) { return {Kind::kWait, std::move(why)}; }
};

}  // namespace logistics::messaging
