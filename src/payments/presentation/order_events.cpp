#include "logistics/payments/presentation/order_events.hpp"

#include <variant>

#include "logistics/common/uuid.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/payments/application/payment_commands.hpp"

namespace logistics::payments::presentation {
namespace {

using messaging::HandlerResult;

constexpr std::string_view kTypePrefix = "logistics.order.";

// The order as the event leaves it; a Reject result when the event lacks it.
std::variant<domain::OrderView, HandlerResult> OrderViewOf(const nlohmann::json& cloud_event) {
  const auto data = cloud_event.find("data");
  const auto version = cloud_event.find("aggregateversion");
  if (data == cloud_event.end() || !data->is_object() || !data->contains("order_id") ||
      !(*data)["order_id"].is_string() || !data->contains("status") ||
      !(*data)["status"].is_string() || version == cloud_event.end() ||
      !version->is_number_integer()) {
    return HandlerResult::Reject("an order event without data.order_id, data.status and "
                                 "aggregateversion");
  }
  domain::OrderView view{(*data)["order_id"].get<std::string>(), (*data)["status"].get<std::string>(),
                         version->get<std::int64_t>()};
  if (!common::IsUuid(view.order_id)) return HandlerResult::Reject("order_id is not a UUID");
  return view;
}

}  // namespace

messaging::EventHandler OrderEventsHandler(
    aggregate_service::presentation::OpenInTransaction<application::PaymentStore> open_store,
    const common::Clock& clock) {
  return [open_store = std::move(open_store), &clock](sqlite::Database& transaction,
                                                      const messaging::ConsumedEvent& event) {
    const nlohmann::json& cloud_event = event.cloud_event;
    const auto type = cloud_event.value("type", std::string());
    if (!type.starts_with(kTypePrefix)) return HandlerResult::Ignored();
    auto parsed = OrderViewOf(cloud_event);
    if (auto* failed = std::get_if<HandlerResult>(&parsed)) return *failed;
    const domain::OrderView view = std::get<domain::OrderView>(std::move(parsed));
    const bool cancelled = type == "logistics.order.cancelled.v1";

    const messaging::EventMetadata metadata = messaging::CausedByEvent(event);
    const auto store = open_store(transaction, metadata);
    auto changed = application::ApplyOrderEvent(store->CommandPorts(clock)).Execute(view, cancelled);
    if (!changed) {
      if (const auto* port = std::get_if<common::PortError>(&changed.error())) {
        return HandlerResult::Retry(port->message);
      }
      return HandlerResult::Retry(std::get<domain::PaymentRejection>(changed.error()).message);
    }
    for (const auto& payment : *changed) {
      logging::Info("payment compensated for a cancelled order",
                    {{"payment_id", payment.payment_id},
                     {"order_id", payment.order_id},
                     {"status", std::string(domain::ToString(payment.status))},
                     {"correlation_id", metadata.correlation_id}});
    }
    return HandlerResult::Applied();
  };
}

messaging::ProjectionRebuildSpec OrderViewRebuild(OpenOrderProjection open_projection) {
  messaging::ProjectionRebuildSpec spec;
  spec.sources = {{"ORDERS", "orders.events.>"}};
  spec.tables = {"order_view"};
  spec.apply = [open_projection = std::move(open_projection)](
                   sqlite::Database& scratch, const messaging::ConsumedEvent& event) {
    if (!event.cloud_event.value("type", std::string()).starts_with(kTypePrefix)) {
      return HandlerResult::Ignored();
    }
    auto parsed = OrderViewOf(event.cloud_event);
    if (std::holds_alternative<HandlerResult>(parsed)) {
      // One bad event must not block the rebuild: the live consumer
      // dead-lettered it too.
      return HandlerResult::Ignored();
    }
    auto recorded = open_projection(scratch)->Record(std::get<domain::OrderView>(parsed));
    if (!recorded) return HandlerResult::Retry(std::get<common::PortError>(recorded.error()).message);
    return HandlerResult::Applied();
  };
  return spec;
}

}  // namespace logistics::payments::presentation
