#include "logistics/orders/infrastructure/sqlite_order_unit_of_work.hpp"

#include "logistics/messaging/sqlite_outbox.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::orders::infrastructure {
namespace {

using application::Failed;
using application::Rejected;

common::PortError StorageError(const sqlite::SqliteError& error) {
  return sqlite::ToPortError("orders storage", error);
}

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
  if (snapshot.version == 1) {
    auto insert = db_.Prepare(
        "INSERT INTO orders(tracking_number, customer_name, customer_email, origin, destination,"
        " status, driver_id, cancellation_reason, created_at, updated_at, version, order_id)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return Failed(StorageError(insert.error()));
    BindFields(**insert, snapshot);
    if (auto done = (*insert)->Run(); !done) {
      if (done.error().IsUniqueViolation()) {
        return Rejected(domain::Reject(domain::OrderError::kDuplicateTrackingNumber,
                                       "an order with tracking_number '" +
                                           snapshot.tracking_number + "' already exists"));
      }
      return Failed(StorageError(done.error()));
    }
  } else {
    // The version check makes a lost update impossible even if two writers
    // (two instances on one database) raced on the same order.
    auto update = db_.Prepare(
        "UPDATE orders SET tracking_number = ?, customer_name = ?, customer_email = ?,"
        " origin = ?, destination = ?, status = ?, driver_id = ?, cancellation_reason = ?,"
        " created_at = ?, updated_at = ?, version = ? WHERE order_id = ? AND version = ?");
    if (!update) return Failed(StorageError(update.error()));
    BindFields(**update, snapshot);
    (*update)->Bind(13, snapshot.version - 1);
    if (auto done = (*update)->Run(); !done) return Failed(StorageError(done.error()));
    if (db_.Changes() != 1) {
      return Rejected(domain::Reject(domain::OrderError::kConcurrentModification,
                                     "order " + snapshot.order_id +
                                         " was changed concurrently; retry the command"));
    }
  }

  messaging::SqliteOutbox outbox(db_);
  for (const domain::OrderEvent& event : events) {
    const auto message =
        messaging::ToOutboxMessage(ToCloudEvent(event, event_ids_.NextId(), metadata_),
                                   EventSubject(event));
    if (auto appended = outbox.Append(message, event.order.updated_at); !appended) {
      return Failed(StorageError(appended.error()));
    }
  }
  return {};
}

}  // namespace logistics::orders::infrastructure
