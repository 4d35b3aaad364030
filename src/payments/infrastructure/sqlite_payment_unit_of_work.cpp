#include "logistics/payments/infrastructure/sqlite_payment_unit_of_work.hpp"

#include "logistics/messaging/sqlite_outbox.hpp"
#include "logistics/payments/infrastructure/payment_cloud_events.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::payments::infrastructure {
namespace {

using application::Failed;
using application::Rejected;

common::PortError StorageError(const sqlite::SqliteError& error) {
  return sqlite::ToPortError("payments storage", error);
}

void BindFields(sqlite::Statement& statement, const domain::PaymentSnapshot& payment) {
  statement.Bind(1, payment.order_id)
      .Bind(2, payment.amount.cents())
      .Bind(3, payment.currency.code())
      .Bind(4, domain::ToString(payment.status))
      .Bind(5, payment.failure_reason)
      .Bind(6, payment.refund_reason)
      .Bind(7, common::ToUnixMillis(payment.created_at))
      .Bind(8, common::ToUnixMillis(payment.updated_at))
      .Bind(9, payment.version)
      .Bind(10, payment.payment_id);
}

}  // namespace

application::PaymentResult<void> SqlitePaymentUnitOfWork::Save(
    const domain::Payment& payment, const std::vector<domain::PaymentEvent>& events) {
  const domain::PaymentSnapshot& snapshot = payment.snapshot();
  if (snapshot.version == 1) {
    auto insert = db_.Prepare(
        "INSERT INTO payments(order_id, amount_cents, currency, status, failure_reason,"
        " refund_reason, created_at, updated_at, version, payment_id)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return Failed(StorageError(insert.error()));
    BindFields(**insert, snapshot);
    if (auto done = (*insert)->Run(); !done) return Failed(StorageError(done.error()));
  } else {
    // The version check makes a lost update impossible even with two writers.
    auto update = db_.Prepare(
        "UPDATE payments SET order_id = ?, amount_cents = ?, currency = ?, status = ?,"
        " failure_reason = ?, refund_reason = ?, created_at = ?, updated_at = ?, version = ?"
        " WHERE payment_id = ? AND version = ?");
    if (!update) return Failed(StorageError(update.error()));
    BindFields(**update, snapshot);
    (*update)->Bind(11, snapshot.version - 1);
    if (auto done = (*update)->Run(); !done) return Failed(StorageError(done.error()));
    if (db_.Changes() != 1) {
      return Rejected(domain::Reject(domain::PaymentError::kConcurrentModification,
                                     "payment " + snapshot.payment_id +
                                         " was changed concurrently; retry the command"));
    }
  }
  messaging::SqliteOutbox outbox(db_);
  for (const domain::PaymentEvent& event : events) {
    const auto message = messaging::ToOutboxMessage(
        ToCloudEvent(event, event_ids_.NextId(), metadata_), EventSubject(event));
    if (auto appended = outbox.Append(message, event.payment.updated_at); !appended) {
      return Failed(StorageError(appended.error()));
    }
  }
  return {};
}

}  // namespace logistics::payments::infrastructure
