// OrderStorage: how the orders handlers reach storage: an OrderStore opened
// on the transaction messaging runs a command or a payment event in, and an
// OrderRepository on a read-only connection for queries
// (aggregate_service/presentation/store_openers.hpp). src/apps/orders/main.cpp
// fills it with the SQLite adapters; nothing in presentation names them.
//
// Thread-safety: see StoreOpeners.
#pragma once

#include "logistics/aggregate_service/presentation/store_openers.hpp"
#include "logistics/orders/application/ports/order_repository.hpp"
#include "logistics/orders/application/ports/order_store.hpp"

namespace logistics::orders::presentation {

using OrderStorage =
    aggregate_service::presentation::StoreOpeners<application::OrderStore,
                                                  application::OrderRepository>;

}  // namespace logistics::orders::presentation
