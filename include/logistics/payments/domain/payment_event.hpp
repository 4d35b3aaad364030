// PaymentEvent: a fact about a payment that other services may react to.
//
// Each change of a Payment records exactly one event carrying the payment as
// it is after the change (its version is the event's aggregate version) and
// the reason, for failed and refunded. Turning events into CloudEvents and NATS
// subjects (payments.events.<payment_id>.<name>) is infrastructure's job.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "logistics/payments/domain/payment_snapshot.hpp"

namespace logistics::payments::domain {

enum class PaymentEventType { kRegistered, kConfirmed, kFailed, kRefunded };

// "registered", "confirmed", "failed", "refunded": the last token of the
// event's subject and the middle of its type name.
std::string_view EventName(PaymentEventType type);

struct PaymentEvent {
  PaymentEventType type{};
  PaymentSnapshot payment;             // the payment after the change
  std::optional<std::string> reason;   // failed: always; refunded: when one was given

  bool operator==(const PaymentEvent&) const = default;
};

}  // namespace logistics::payments::domain
