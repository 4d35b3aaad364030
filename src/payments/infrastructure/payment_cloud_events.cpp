#include "logistics/payments/infrastructure/payment_cloud_events.hpp"

#include "logistics/payments/presentation/payment_json.hpp"

namespace logistics::payments::infrastructure {

messaging::CloudEvent ToCloudEvent(const domain::PaymentEvent& event, std::string event_id,
                                   const messaging::EventMetadata& metadata) {
  messaging::CloudEvent cloud_event =
      messaging::NewCloudEvent(std::move(event_id), kPaymentsSource,
                               "logistics.payment." + std::string(domain::EventName(event.type)) + ".v1",
                               event.payment.payment_id, event.payment.updated_at,
                               event.payment.version, metadata);
  json::ObjectWriter data(cloud_event.data);
  presentation::WritePaymentMembers(data, event.payment);
  switch (event.type) {
    case domain::PaymentEventType::kFailed:
    case domain::PaymentEventType::kRefunded:
      data.OptionalString("reason", event.reason);
      break;
    case domain::PaymentEventType::kRegistered:
    case domain::PaymentEventType::kConfirmed:
      break;
  }
  data.Close();
  return cloud_event;
}

std::string EventSubject(const domain::PaymentEvent& event) {
  return "payments.events." + event.payment.payment_id + "." +
         std::string(domain::EventName(event.type));
}

}  // namespace logistics::payments::infrastructure
