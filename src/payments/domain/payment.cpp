#include "logistics/payments/domain/payment.hpp"

#include <string_view>
#include <utility>

#include "logistics/common/utf8.hpp"

namespace logistics::payments::domain {
namespace {

using common::Unexpected;

// Characters as the limit counts them. Text reaching the domain was decoded by
// a JSON parser that rejects ill-formed UTF-8; should some other caller pass
// ill-formed bytes anyway, the byte count is an upper bound of any reading of
// them, so the limit still holds.
std::size_t LengthOf(std::string_view text) {
  return common::CountCodePoints(text).value_or(text.size());
}

std::optional<PaymentRejection> CheckReasonLength(std::string_view reason) {
  if (const std::size_t length = LengthOf(reason); length > kMaxReasonLength) {
    return Reject(PaymentError::kReasonTooLong, "reason must be at most " +
                                                    std::to_string(kMaxReasonLength) +
                                                    " characters (got " + std::to_string(length) +
                                                    ")");
  }
  return std::nullopt;
}

std::string TransitionMessage(std::string_view action, PaymentStatus status,
                              std::string_view requirement) {
  return "cannot " + std::string(action) + " a payment that is " + std::string(ToString(status)) +
         ": " + std::string(requirement);
}

}  // namespace

std::optional<PaymentRejection> CheckFailureReason(std::string_view reason) {
  if (common::IsBlank(reason)) {
    return Reject(PaymentError::kReasonEmpty,
                  "reason must not be empty or blank: say why the payment failed");
  }
  return CheckReasonLength(reason);
}

std::optional<PaymentRejection> CheckRefundReason(const std::optional<std::string>& reason) {
  return reason ? CheckReasonLength(*reason) : std::nullopt;
}

common::Result<Payment, PaymentRejection> Payment::Register(std::string payment_id,
                                                            std::string order_id, Money amount,
                                                            Currency currency,
                                                            common::Timestamp now) {
  Payment payment(PaymentSnapshot{
      .payment_id = std::move(payment_id),
      .order_id = std::move(order_id),
      .amount = amount,
      .currency = std::move(currency),
      .status = PaymentStatus::kPending,
      .failure_reason = std::nullopt,
      .refund_reason = std::nullopt,
      .created_at = now,
      .updated_at = now,
      .version = 0,  // Record() makes registration version 1, like every other change
  });
  payment.Record(PaymentEventType::kRegistered, now);
  return payment;
}

Payment Payment::Restore(PaymentSnapshot snapshot) { return Payment(std::move(snapshot)); }

common::Result<void, PaymentRejection> Payment::Confirm(common::Timestamp now) {
  switch (snapshot_.status) {
    case PaymentStatus::kPending:
      break;
    case PaymentStatus::kConfirmed:
      // SPEC §2: a confirmation repeated by a client or a retrying gateway
      // returns the payment as it is. Recording an event here would tell the
      // orders service twice that the order is paid.
      return {};
    case PaymentStatus::kFailed:
    case PaymentStatus::kRefunded:
      return Unexpected{Reject(PaymentError::kInvalidTransition,
                               TransitionMessage("confirm", snapshot_.status,
                                                 "only a PENDING payment can be confirmed"))};
  }
  snapshot_.status = PaymentStatus::kConfirmed;
  Record(PaymentEventType::kConfirmed, now);
  return {};
}

common::Result<void, PaymentRejection> Payment::Fail(std::string reason, common::Timestamp now) {
  // A missing or oversized reason is wrong in every status, so it is reported
  // first: the client would have to fix it anyway.
  if (auto bad = CheckFailureReason(reason)) return Unexpected{std::move(*bad)};
  switch (snapshot_.status) {
    case PaymentStatus::kPending:
      break;
    case PaymentStatus::kConfirmed:
      // The money was taken: what the client most likely wants is a refund.
      return Unexpected{Reject(PaymentError::kInvalidTransition,
                               TransitionMessage("fail", snapshot_.status,
                                                 "only a PENDING payment can fail; refund a "
                                                 "CONFIRMED payment instead"))};
    case PaymentStatus::kFailed:
    case PaymentStatus::kRefunded:
      return Unexpected{Reject(PaymentError::kInvalidTransition,
                               TransitionMessage("fail", snapshot_.status,
                                                 "only a PENDING payment can fail"))};
  }
  snapshot_.status = PaymentStatus::kFailed;
  snapshot_.failure_reason = reason;
  Record(PaymentEventType::kFailed, now, std::move(reason));
  return {};
}

common::Result<void, PaymentRejection> Payment::Refund(std::optional<std::string> reason,
                                                       common::Timestamp now) {
  if (auto bad = CheckRefundReason(reason)) return Unexpected{std::move(*bad)};
  switch (snapshot_.status) {
    case PaymentStatus::kConfirmed:
      break;
    case PaymentStatus::kPending:
    case PaymentStatus::kFailed:
    case PaymentStatus::kRefunded:
      return Unexpected{Reject(PaymentError::kInvalidTransition,
                               TransitionMessage("refund", snapshot_.status,
                                                 "only a CONFIRMED payment can be refunded"))};
  }
  snapshot_.status = PaymentStatus::kRefunded;
  snapshot_.refund_reason = reason;
  Record(PaymentEventType::kRefunded, now, std::move(reason));
  return {};
}

std::vector<PaymentEvent> Payment::TakeEvents() { return std::exchange(pending_events_, {}); }

void Payment::Record(PaymentEventType type, common::Timestamp now,
                     std::optional<std::string> reason) {
  snapshot_.updated_at = now;
  snapshot_.version += 1;
  pending_events_.push_back(PaymentEvent{type, snapshot_, std::move(reason)});
}

}  // namespace logistics::payments::domain
