#include "logistics/orders/infrastructure/sqlite_order_unit_of_work.hpp"

#include "logistics/orders/infrastructure/order_cloud_events.hpp"

namespace logistics::orders::infrastructure {
namespace {

using aggregate_service::infrastructure::AggregateWrite;

// In the order of kOrderRows' columns, the id last.
void BindOrder(sqlite::Statement& row, const domain::OrderSnapshot& order) {
  row.Bind(1, order.tracking_number)
      .Bind(2, order.customer_name)
      .Bind(3, order.customer_email)
      .Bind(4, order.origin)
      .Bind(5, order.destination)
      .Bind(6, domain::ToString(order.status))
      .Bind(7, order.driver_id)
      .Bind(8, order.cancellation_reason)
      .Bind(9, common::ToUnixMillis(order.created_at))
      .Bind(10, common::ToUnixMillis(order.updated_at))
      .Bind(11, order.version)
      .Bind(12, order.order_id);
}

common::Timestamp OccurredAt(const domain::OrderEvent& event) { return event.order.updated_at; }

domain::OrderRejection Refusal(AggregateWrite outcome, const domain::OrderSnapshot& order) {
  if (outcome == AggregateWrite::kUniqueKeyTaken) {
    return domain::Reject(
        domain::OrderError::kDuplicateTrackingNumber,
        "an order with tracking_number '" + order.tracking_number + "' already exists");
  }
  return domain::Reject(
      domain::OrderError::kConcurrentModification,
      aggregate_service::infrastructure::ChangedConcurrently("order", order.order_id));
}

}  // namespace

const SqliteOrderUnitOfWork::Rows kOrderRows{
    aggregate_service::infrastructure::AggregateTable{
        "orders storage",
        "orders",
        "order_id",
        {"tracking_number", "customer_name", "customer_email", "origin", "destination", "status",
         "driver_id", "cancellation_reason", "created_at", "updated_at", "version"}},
    &BindOrder,
    &ToCloudEvent,
    &EventSubject,
    &OccurredAt,
    &Refusal};

}  // namespace logistics::orders::infrastructure
