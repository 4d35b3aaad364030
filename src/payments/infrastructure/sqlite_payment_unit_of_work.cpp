#include "logistics/payments/infrastructure/sqlite_payment_unit_of_work.hpp"

#include "logistics/aggregate_service/infrastructure/sqlite_aggregate_write.hpp"
#include "logistics/payments/infrastructure/payment_cloud_events.hpp"

namespace logistics::payments::infrastructure {
namespace {

using aggregate_service::infrastructure::AggregateWrite;

const aggregate_service::infrastructure::AggregateTable kPaymentsTable{
    "payments storage",
    "INSERT INTO payments(order_id, amount_cents, currency, status, failure_reason,"
    " refund_reason, created_at, updated_at, version, payment_id)"
    " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "UPDATE payments SET order_id = ?, amount_cents = ?, currency = ?, status = ?,"
    " failure_reason = ?, refund_reason = ?, created_at = ?, updated_at = ?, version = ?"
    " WHERE payment_id = ? AND version = ?",
    10};

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
  auto saved = aggregate_service::infrastructure::SaveAggregate(
      db_, kPaymentsTable, snapshot.version,
      [&snapshot](sqlite::Statement& row) { BindFields(row, snapshot); }, events.size(),
      [this, &events](std::size_t i) {
        const domain::PaymentEvent& event = events[i];
        return aggregate_service::infrastructure::OutboxEntry{
            messaging::ToOutboxMessage(ToCloudEvent(event, event_ids_.NextId(), metadata_),
                                       EventSubject(event)),
            event.payment.updated_at};
      });
  if (!saved) return application::Failed(saved.error());
  if (*saved == AggregateWrite::kSaved) return {};
  // A payment's only unique key is its id, so whatever refused the write, the
  // payment was stored by someone else first (the port's rule).
  return application::Rejected(domain::Reject(
      domain::PaymentError::kConcurrentModification,
      "payment " + snapshot.payment_id + " was changed concurrently; retry the command"));
}

}  // namespace logistics::payments::infrastructure
