// SqlitePaymentUnitOfWork: PaymentUnitOfWork over the payments and outbox
// tables (aggregate_service/infrastructure/sqlite_unit_of_work.hpp), with
// kPaymentRows saying how payments are stored. Events become CloudEvents
// (payment_cloud_events.hpp).
//
// A payment's only unique key is its id, so whatever refused a write, the
// payment was stored by someone else first: kConcurrentModification (the
// port's rule).
//
// Thread-safety: writer thread only.
#pragma once

#include "logistics/aggregate_service/infrastructure/sqlite_unit_of_work.hpp"
#include "logistics/payments/application/ports/payment_unit_of_work.hpp"

namespace logistics::payments::infrastructure {

using SqlitePaymentUnitOfWork = aggregate_service::infrastructure::SqliteUnitOfWork<
    application::PaymentUnitOfWork, domain::Payment, domain::PaymentEvent, domain::PaymentRejection>;

extern const SqlitePaymentUnitOfWork::Rows kPaymentRows;

}  // namespace logistics::payments::infrastructure
