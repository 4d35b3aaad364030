#include "logistics/payments/infrastructure/sqlite_payment_unit_of_work.hpp"

#include "logistics/payments/infrastructure/payment_cloud_events.hpp"

namespace logistics::payments::infrastructure {
namespace {

// In the order of kPaymentRows' columns, the id last.
void BindPayment(sqlite::Statement& row, const domain::PaymentSnapshot& payment) {
  row.Bind(1, payment.order_id)
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

common::Timestamp OccurredAt(const domain::PaymentEvent& event) { return event.payment.updated_at; }

domain::PaymentRejection Refusal(aggregate_service::infrastructure::AggregateWrite /*outcome*/,
                                 const domain::PaymentSnapshot& payment) {
  return domain::Reject(
      domain::PaymentError::kConcurrentModification,
      aggregate_service::infrastructure::ChangedConcurrently("payment", payment.payment_id));
}

}  // namespace

const SqlitePaymentUnitOfWork::Rows kPaymentRows{
    aggregate_service::infrastructure::AggregateTable{
        "payments storage",
        "payments",
        "payment_id",
        {"order_id", "amount_cents", "currency", "status", "failure_reason", "refund_reason",
         "created_at", "updated_at", "version"}},
    &BindPayment,
    &ToCloudEvent,
    &EventSubject,
    &OccurredAt,
    &Refusal};

}  // namespace logistics::payments::infrastructure
