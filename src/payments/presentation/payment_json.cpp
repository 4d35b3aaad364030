#include "logistics/payments/presentation/payment_json.hpp"

#include "logistics/common/time.hpp"

namespace logistics::payments::presentation {

void WritePaymentMembers(json::ObjectWriter& object, const domain::PaymentSnapshot& payment) {
  object.String("payment_id", payment.payment_id)
      .String("order_id", payment.order_id)
      .String("amount", payment.amount.ToString())
      .String("currency", payment.currency.code())
      .String("status", domain::ToString(payment.status))
      .OptionalString("failure_reason", payment.failure_reason)
      .OptionalString("refund_reason", payment.refund_reason)
      .String("created_at", common::FormatRfc3339(payment.created_at))
      .String("updated_at", common::FormatRfc3339(payment.updated_at))
      .Integer("version", payment.version);
}

std::string PaymentJson(const domain::PaymentSnapshot& payment) {
  std::string text;
  text.reserve(384);
  json::ObjectWriter object(text);
  WritePaymentMembers(object, payment);
  object.Close();
  return text;
}

}  // namespace logistics::payments::presentation
