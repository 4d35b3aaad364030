// Payment: the aggregate that owns one payment of an order.
//
// A Payment enforces the payments state machine (SPEC §2):
//
//   command  | PENDING    | CONFIRMED              | FAILED  | REFUNDED
//   ---------+------------+------------------------+---------+---------
//   confirm  | CONFIRMED  | no change, no event    | invalid | invalid
//   fail     | FAILED     | invalid                | invalid | invalid
//   refund   | invalid    | REFUNDED               | invalid | invalid
//
// ("invalid" is kInvalidTransition.) Each change moves `updated_at`, grows
// `version` by one and records one PaymentEvent; confirming a CONFIRMED
// payment succeeds without any of that (SPEC: "confirming a confirmed payment
// returns it unchanged and emits nothing"), so a retried confirmation is
// harmless. A rejected command changes nothing and records nothing.
// TakeEvents() hands the recorded events to the use case, which stores them
// with the payment in one transaction.
//
// Whether the order may be paid is not the aggregate's concern: the use case
// decides it from the order projection before calling Register.
//
// Ownership: a Payment owns its snapshot and its pending events.
// Thread-safety: none; a Payment is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/payments/domain/currency.hpp"
#include "logistics/payments/domain/money.hpp"
#include "logistics/payments/domain/payment_error.hpp"
#include "logistics/payments/domain/payment_event.hpp"
#include "logistics/payments/domain/payment_snapshot.hpp"

namespace logistics::payments::domain {

// The longest failure or refund reason, in Unicode characters (wire contract).
inline constexpr std::size_t kMaxReasonLength = 500;

// The rule for a failure reason (non-blank, at most 500 characters) and for a
// refund reason (at most 500); nullopt when the value is fine. Checked by Fail
// and Refund, and by transports before a payment is loaded.
std::optional<PaymentRejection> CheckFailureReason(std::string_view reason);
std::optional<PaymentRejection> CheckRefundReason(const std::optional<std::string>& reason);

class Payment {
 public:
  // A new payment in PENDING at version 1, recording `registered`. The amount
  // and currency are valid by construction and the ids come from the id
  // generator and the validated request, so it does not fail today; it returns
  // a Result so that a registration rule added later (a per-currency limit,
  // say) does not change every caller.
  static common::Result<Payment, PaymentRejection> Register(std::string payment_id,
                                                            std::string order_id, Money amount,
                                                            Currency currency,
                                                            common::Timestamp now);

  // A payment as stored; no rules are checked and no event is recorded.
  static Payment Restore(PaymentSnapshot snapshot);

  // PENDING -> CONFIRMED, recording `confirmed`. CONFIRMED: succeeds and
  // changes nothing (no event, same version and updated_at). kInvalidTransition
  // when FAILED or REFUNDED.
  common::Result<void, PaymentRejection> Confirm(common::Timestamp now);

  // PENDING -> FAILED, recording `failed` with the reason, which is also kept
  // as failure_reason. The reason is checked first, whatever the status:
  // kReasonEmpty when empty or blank, kReasonTooLong when over 500
  // characters. kInvalidTransition in any status but PENDING.
  common::Result<void, PaymentRejection> Fail(std::string reason, common::Timestamp now);

  // CONFIRMED -> REFUNDED, recording `refunded` with the reason when one is
  // given (kept as refund_reason). kReasonTooLong when the reason is over 500
  // characters (checked first); an empty reason is kept as given, like an
  // order's cancellation reason. kInvalidTransition in any status but
  // CONFIRMED.
  common::Result<void, PaymentRejection> Refund(std::optional<std::string> reason,
                                                common::Timestamp now);

  const PaymentSnapshot& snapshot() const { return snapshot_; }
  const std::string& id() const { return snapshot_.payment_id; }
  PaymentStatus status() const { return snapshot_.status; }
  std::int64_t version() const { return snapshot_.version; }

  // The events recorded since registration or Restore, oldest first; clears
  // them.
  std::vector<PaymentEvent> TakeEvents();

 private:
  explicit Payment(PaymentSnapshot snapshot) : snapshot_(std::move(snapshot)) {}
  void Record(PaymentEventType type, common::Timestamp now,
              std::optional<std::string> reason = {});

  PaymentSnapshot snapshot_;
  std::vector<PaymentEvent> pending_events_;
};

}  // namespace logistics::payments::domain
