// SqliteOrderUnitOfWork: OrderUnitOfWork over the orders and outbox tables
// (aggregate_service/infrastructure/sqlite_unit_of_work.hpp), with kOrderRows
// saying how orders are stored. Events become CloudEvents
// (order_cloud_events.hpp).
//
// A refused write means, in the orders' words: at version 1 with a unique
// value taken, another order holds the tracking number
// (kDuplicateTrackingNumber); otherwise the order was changed concurrently
// (kConcurrentModification).
//
// Thread-safety: writer thread only.
#pragma once

#include "logistics/aggregate_service/infrastructure/sqlite_unit_of_work.hpp"
#include "logistics/orders/application/ports/order_unit_of_work.hpp"

namespace logistics::orders::infrastructure {

using SqliteOrderUnitOfWork =
    aggregate_service::infrastructure::SqliteUnitOfWork<application::OrderUnitOfWork, domain::Order,
                                                        domain::OrderEvent, domain::OrderRejection>;

extern const SqliteOrderUnitOfWork::Rows kOrderRows;

}  // namespace logistics::orders::infrastructure
