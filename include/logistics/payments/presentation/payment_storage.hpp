// PaymentStorage: how the payments handlers reach storage: a PaymentStore
// opened on the transaction messaging runs a command or an order event in,
// and a PaymentReadStore on a read-only connection for queries and the order
// lookup before a registration (aggregate_service/presentation/
// store_openers.hpp). src/apps/payments/main.cpp fills it with the SQLite
// adapters; nothing in presentation names them.
//
// Thread-safety: see StoreOpeners.
#pragma once

#include "logistics/aggregate_service/presentation/store_openers.hpp"
#include "logistics/payments/application/ports/payment_store.hpp"

namespace logistics::payments::presentation {

using PaymentStorage =
    aggregate_service::presentation::StoreOpeners<application::PaymentStore,
                                                  application::PaymentReadStore>;

}  // namespace logistics::payments::presentation
