#include "logistics/payments/infrastructure/payment_json.hpp"

namespace logistics::payments::infrastructure {
namespace {

nlohmann::ordered_json OrNull(const std::optional<std::string>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

nlohmann::ordered_json PaymentToJson(const domain::PaymentSnapshot& payment) {
  nlohmann::ordered_json json;
  json["payment_id"] = payment.payment_id;
  json["order_id"] = payment.order_id;
  json["amount"] = payment.amount.ToString();
  json["currency"] = payment.currency.code();
  json["status"] = domain::ToString(payment.status);
  json["failure_reason"] = OrNull(payment.failure_reason);
  json["refund_reason"] = OrNull(payment.refund_reason);
  json["created_at"] = common::FormatRfc3339(payment.created_at);
  json["updated_at"] = common::FormatRfc3339(payment.updated_at);
  json["version"] = payment.version;
  return json;
}

}  // namespace logistics::payments::infrastructure
