#include "logistics/orders/infrastructure/sqlite_order_unit_of_work.hpp"

#include "logistics/aggregate_service/infrastructure/sqlite_aggregate_write.hpp"

namespace logistics::orders::infrastructure {
namespace {

using aggregate_service::infrastructure::AggregateWrite;

const aggregate_service::infrastructure::AggregateTable kOrdersTable{
    "orders storage",
    "INSERT INTO orders(tracking_number, customer_name, customer_email, origin, destination,"
    " status, driver_id, cancellation_reason, created_at, updated_at, version, order_id)"
    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "UPDATE orders SET tracking_number = ?, customer_name = ?, customer_email = ?,"
    " origin = ?, destination = ?, status = ?, driver_id = ?, cancellation_reason = ?,"
    " created_at = ?, updated_at = ?, version = ? WHERE order_id = ? AND version = ?",
    12};

void BindFields(sqlite::Statement& statement, const domain::OrderSnapshot& order) {
  statement.Bind(1, order.tracking_number)
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

}  // namespace

application::OrderResult<void> SqliteOrderUnitOfWork::Save(
    const domain::Order& order, const std::vector<domain::OrderEvent>& events) {
  const domain::OrderSnapshot& snapshot = order.snapshot();
  auto saved = aggregate_service::infrastructure::SaveAggregate(
      db_, kOrdersTable, snapshot.version,
      [&snapshot](sqlite::Statement& row) { BindFields(row, snapshot); }, events.size(),
      [this, &events](std::size_t i) {
        const domain::OrderEvent& event = events[i];
        return aggregate_service::infrastructure::OutboxEntry{
            messaging::ToOutboxMessage(ToCloudEvent(event, event_ids_.NextId(), metadata_),
                                       EventSubject(event)),
            event.order.updated_at};
      });
  if (!saved) return application::Failed(saved.error());
  switch (*saved) {
    case AggregateWrite::kSaved:
      return {};
    case AggregateWrite::kUniqueKeyTaken:
      return application::Rejected(domain::Reject(
          domain::OrderError::kDuplicateTrackingNumber,
          "an order with tracking_number '" + snapshot.tracking_number + "' already exists"));
    case AggregateWrite::kVersionConflict:
      return application::Rejected(domain::Reject(
          domain::OrderError::kConcurrentModification,
          "order " + snapshot.order_id + " was changed concurrently; retry the command"));
  }
  return application::Failed(common::PortError{"orders storage: unknown write outcome"});
}

}  // namespace logistics::orders::infrastructure
