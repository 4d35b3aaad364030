#include "logistics/orders/presentation/payment_events.hpp"

#include "logistics/common/uuid.hpp"
#include "logistics/json/json_text.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/orders/application/order_commands.hpp"

namespace logistics::orders::presentation {
namespace {

using messaging::HandlerResult;

}  // namespace

messaging::EventHandler PaymentEventsHandler(
    aggregate_service::presentation::OpenInTransaction<application::OrderStore> open_store,
    const common::Clock& clock) {
  return [open_store = std::move(open_store), &clock](sqlite::Database& transaction,
                                                      const messaging::ConsumedEvent& event) {
    const nlohmann::json& cloud_event = event.cloud_event;
    if (json::StringMember(cloud_event, "type") != "logistics.payment.confirmed.v1") {
      return HandlerResult::Ignored();
    }
    const auto data = cloud_event.find("data");
    const auto order_id = data == cloud_event.end() ? std::nullopt : json::StringMember(*data, "order_id");
    const auto payment_id = data == cloud_event.end() ? std::nullopt : json::StringMember(*data, "payment_id");
    if (!order_id || !common::IsUuid(*order_id) || !payment_id) {
      return HandlerResult::Reject("a confirmed payment event without order_id and payment_id");
    }

    const messaging::EventMetadata metadata = messaging::CausedByEvent(event);
    const auto store = open_store(transaction, metadata);
    auto paid = application::MarkOrderPaid(store->CommandPorts(clock)).Execute(*order_id, *payment_id);
    if (paid) {
      // Routine, once per order: debug (the unusual outcomes below stay info).
      logging::Debug("order paid", {{"order_id", *order_id},
                                    {"payment_id", *payment_id},
                                    {"correlation_id", metadata.correlation_id}});
      return HandlerResult::Applied();
    }
    if (const auto* port = std::get_if<common::PortError>(&paid.error())) {
      return HandlerResult::Retry(port->message);
    }
    const auto& rejection = std::get<domain::OrderRejection>(paid.error());
    if (rejection.error == domain::OrderError::kInvalidTransition) {
      // A second payment, or a payment that arrives after dispatch or
      // cancellation: the order stays as it is (compensation is payments' job).
      logging::Info("confirmed payment does not change the order",
                    {{"order_id", *order_id},
                     {"payment_id", *payment_id},
                     {"reason", rejection.message},
                     {"correlation_id", metadata.correlation_id}});
      return HandlerResult::Applied();
    }
    if (rejection.error == domain::OrderError::kConcurrentModification) {
      return HandlerResult::Retry(rejection.message);
    }
    // An unknown order: orders is the source of truth, so it never will be known.
    return HandlerResult::Reject(rejection.message);
  };
}

}  // namespace logistics::orders::presentation
