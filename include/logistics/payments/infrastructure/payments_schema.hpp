// The payments tables: component "payments" of the service's schema_version.
//
//   payments(payment_id PRIMARY KEY, order_id, amount_cents, currency, status,
//            failure_reason, refund_reason, created_at, updated_at, version)
//     WITHOUT ROWID; indexes (order_id, payment_id), (status, payment_id) and
//     (order_id, status, payment_id) for keyset lists and compensation.
//   order_view(order_id PRIMARY KEY, status, version, updated_at): payments'
//     projection of the ORDERS stream; a row is replaced only by a newer version.
#pragma once

#include <span>

#include "logistics/sqlite/migrations.hpp"

namespace logistics::payments::infrastructure {

std::span<const sqlite::Migration> PaymentsMigrations();

}  // namespace logistics::payments::infrastructure
