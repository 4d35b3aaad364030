#include "logistics/orders/presentation/order_json.hpp"

namespace logistics::orders::presentation {

void WriteOrderMembers(json::ObjectWriter& object, const domain::OrderSnapshot& order) {
  object.String("order_id", order.order_id)
      .String("tracking_number", order.tracking_number)
      .String("customer_name", order.customer_name)
      .OptionalString("customer_email", order.customer_email)
      .String("origin", order.origin)
      .String("destination", order.destination)
      .String("status", domain::ToString(order.status))
      .OptionalString("driver_id", order.driver_id)
      .OptionalString("cancellation_reason", order.cancellation_reason)
      .String("created_at", common::FormatRfc3339(order.created_at))
      .String("updated_at", common::FormatRfc3339(order.updated_at))
      .Integer("version", order.version);
}

std::string OrderJson(const domain::OrderSnapshot& order) {
  std::string text;
  text.reserve(512);
  json::ObjectWriter object(text);
  WriteOrderMembers(object, order);
  object.Close();
  return text;
}

}  // namespace logistics::orders::presentation
