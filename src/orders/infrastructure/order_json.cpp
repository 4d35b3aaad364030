#include "logistics/orders/infrastructure/order_json.hpp"

namespace logistics::orders::infrastructure {
namespace {

nlohmann::ordered_json OrNull(const std::optional<std::string>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

nlohmann::ordered_json OrderToJson(const domain::OrderSnapshot& order) {
  nlohmann::ordered_json json;
  json["order_id"] = order.order_id;
  json["tracking_number"] = order.tracking_number;
  json["customer_name"] = order.customer_name;
  json["customer_email"] = OrNull(order.customer_email);
  json["origin"] = order.origin;
  json["destination"] = order.destination;
  json["status"] = domain::ToString(order.status);
  json["driver_id"] = OrNull(order.driver_id);
  json["cancellation_reason"] = OrNull(order.cancellation_reason);
  json["created_at"] = common::FormatRfc3339(order.created_at);
  json["updated_at"] = common::FormatRfc3339(order.updated_at);
  json["version"] = order.version;
  return json;
}

}  // namespace logistics::orders::infrastructure
