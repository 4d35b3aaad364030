#include "logistics/orders/infrastructure/order_cloud_events.hpp"

#include "logistics/orders/presentation/order_json.hpp"

namespace logistics::orders::infrastructure {

messaging::CloudEvent ToCloudEvent(const domain::OrderEvent& event, std::string event_id,
                                   const messaging::EventMetadata& metadata) {
  messaging::CloudEvent cloud_event = messaging::NewCloudEvent(
      std::move(event_id), kOrdersSource,
      "logistics.order." + std::string(domain::EventName(event.type)) + ".v1",
      event.order.order_id, event.order.updated_at, event.order.version, metadata);
  cloud_event.data.reserve(600);
  json::ObjectWriter data(cloud_event.data);
  presentation::WriteOrderMembers(data, event.order);
  switch (event.type) {
    case domain::OrderEventType::kCancelled:
      data.OptionalString("reason", event.reason);
      break;
    case domain::OrderEventType::kPaid:
      data.OptionalString("payment_id", event.payment_id);
      break;
    case domain::OrderEventType::kCreated:
    case domain::OrderEventType::kAssigned:
    case domain::OrderEventType::kDispatched:
    case domain::OrderEventType::kDelivered:
      break;
  }
  data.Close();
  return cloud_event;
}

std::string EventSubject(const domain::OrderEvent& event) {
  return "orders.events." + event.order.order_id + "." + std::string(domain::EventName(event.type));
}

}  // namespace logistics::orders::infrastructure
